import { readFileSync } from 'node:fs'
import type { Template } from 'aws-cdk-lib/assertions'

export interface AllowStatement {
  /** Sorted, so tests compare sets. */
  readonly actions: string[]
  readonly resources: unknown[]
}

interface RawStatement {
  readonly Effect: string
  readonly Action: string | string[]
  readonly Resource: unknown
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value])

/** Every Allow statement of every IAM policy in the template, optionally only those attached to `roleRef`. */
export function policyActions(template: Template, roleLogicalId?: string): AllowStatement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
  return policies
    .filter(
      (policy) =>
        roleLogicalId === undefined ||
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as RawStatement[])
    .filter((statement) => statement.Effect === 'Allow')
    .map((statement) => ({
      actions: asArray(statement.Action).sort(),
      resources: asArray(statement.Resource),
    }))
}

/** The logical id of the one resource of `type` whose logical id starts with `prefix`. */
export function logicalIdOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix))
  if (ids.length !== 1) throw new Error(`Expected one ${type} named ${prefix}*, found ${ids.join(', ')}`)
  return ids[0] as string
}

/** The context `cdk synth` gives the app (cdk.json's feature flags), so tests synthesize what is deployed. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context
}

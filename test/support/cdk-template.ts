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

/** A dashboard widget as CloudWatch reads it: `metrics` rows are `[namespace, name, dim, value, ..., options?]`. */
export interface DashboardWidget {
  readonly type: string
  readonly width: number
  readonly height: number
  readonly properties: {
    readonly title?: string
    readonly markdown?: string
    readonly alarms?: string[]
    readonly metrics?: unknown[][]
    readonly yAxis?: { readonly left?: { readonly label?: string } }
  }
}

/** A token in a dashboard body, written as text: `Ref:Logical` or `GetAtt:Logical.Attribute`. */
function tokenText(part: unknown): string {
  const token = part as { Ref?: string; 'Fn::GetAtt'?: string[] }
  if (token.Ref !== undefined) return `Ref:${token.Ref}`
  if (token['Fn::GetAtt'] !== undefined) return `GetAtt:${token['Fn::GetAtt'].join('.')}`
  throw new Error(`Unexpected token in a dashboard body: ${JSON.stringify(part)}`)
}

/**
 * The widgets of the template's one dashboard. Its body is a JSON string joined with tokens (the region, table
 * and function names); each token sits inside a JSON string, so writing it as text leaves valid JSON to read.
 */
export function dashboardWidgets(template: Template): DashboardWidget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))
  if (dashboards.length !== 1) throw new Error(`Expected one dashboard, found ${dashboards.length}`)
  const body = dashboards[0]?.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] }
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : tokenText(part))).join('')
  return JSON.parse(text).widgets
}

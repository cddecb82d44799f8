import { Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks, type IApplyRule, NagMessageLevel, NagRuleCompliance } from 'cdk-nag'
import type { IConstruct } from 'constructs'

/** What a rule found on a resource before any acknowledgement was consulted. */
export interface RawFinding {
  /** As acknowledged: `AwsSolutions-IAM5`, or `AwsSolutions-IAM5[Resource::...]` for a granular finding. */
  readonly ruleId: string
  readonly level: NagMessageLevel
  readonly construct: IConstruct
}

/**
 * The AwsSolutions pack, also keeping every finding it would report without acknowledgements, so a test can
 * check that each acknowledgement silences a real finding (none is stale) and each error is acknowledged.
 */
export class RecordingAwsSolutionsChecks extends AwsSolutionsChecks {
  readonly findings: RawFinding[] = []

  protected override applyRule(params: IApplyRule): void {
    const ruleId = `AwsSolutions-${params.ruleSuffixOverride ?? params.rule.name}`
    const record = (id: string) =>
      this.findings.push({ ruleId: id, level: params.level, construct: params.node })
    try {
      const result = params.rule(params.node)
      if (result === NagRuleCompliance.NON_COMPLIANT) record(ruleId)
      else if (Array.isArray(result)) for (const finding of result) record(`${ruleId}[${finding}]`)
    } catch {
      // The pack reports a rule that throws as a finding of that rule; so do we.
      record(ruleId)
    }
    super.applyRule(params)
  }
}

export interface Acknowledgement {
  readonly ruleId: string
  readonly reason: string
  readonly construct: IConstruct
}

/** Every `Validations.of(x).acknowledge(...)` in the tree, with the construct it was made on. */
export function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([qualifiedId, reason]) => ({
          ruleId: qualifiedId.replace(/^annotation::/i, ''),
          reason,
          construct,
        })),
      ),
  )
}

/** Whether `ack` covers `finding`: the same rule, made on the finding's resource or one of its scopes. */
export function covers(ack: Acknowledgement, finding: RawFinding): boolean {
  return ack.ruleId === finding.ruleId && finding.construct.node.scopes.includes(ack.construct)
}

export { NagMessageLevel }

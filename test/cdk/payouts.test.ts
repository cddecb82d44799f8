import { Match, Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { PAYOUT_EXECUTION_TIMEOUT_SECONDS } from '../../functions/handlers/payout-workflow.js'
import { PAYMENTS_ENV } from '../../functions/shared/tables.js'
import { IDEMPOTENCY_STORE_ACTIONS } from '../../lib/cdk/index.js'
import { logicalIdOf, policyActions } from '../support/cdk-template.js'
import { acknowledgementsIn, covers, NagMessageLevel } from '../support/nag.js'
import { nagCheckedPaymentsStack } from '../support/payments-stack.js'

const { app, stack, nag } = nagCheckedPaymentsStack()
let template: Template
const ids = {
  workflow: '',
  workflowRole: '',
  createRole: '',
  getRole: '',
  alias: '',
  payouts: '',
  bank: '',
  idem: '',
}

beforeAll(() => {
  app.synth()
  template = Template.fromStack(stack)
  ids.workflow = logicalIdOf(template, 'AWS::Lambda::Function', 'PayoutsWorkflow')
  ids.workflowRole = logicalIdOf(template, 'AWS::IAM::Role', 'PayoutsWorkflowRole')
  ids.createRole = logicalIdOf(template, 'AWS::IAM::Role', 'PayoutsCreatePayoutRole')
  ids.getRole = logicalIdOf(template, 'AWS::IAM::Role', 'PayoutsGetOperationRole')
  ids.alias = logicalIdOf(template, 'AWS::Lambda::Alias', 'PayoutsWorkflowLive')
  ids.payouts = logicalIdOf(template, 'AWS::DynamoDB::Table', 'PayoutsTable')
  ids.bank = logicalIdOf(template, 'AWS::DynamoDB::Table', 'PayoutsBankLedger')
  ids.idem = logicalIdOf(template, 'AWS::DynamoDB::Table', 'Idempotency')
})

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] })
const qualifiedPattern = (logicalId: string) => ({ 'Fn::Join': ['', [arnOf(logicalId), ':*']] })
const lambdaStatements = (role: string) =>
  policyActions(template, role).filter((s) => s.actions.some((action) => action.startsWith('lambda:')))
const dynamoStatements = (role: string) =>
  policyActions(template, role).filter((s) => s.actions.some((action) => action.startsWith('dynamodb:')))

describe('the durable payout function', () => {
  it('is durable, with the execution timeout the workflow holds its claim for', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      DurableConfig: {
        ExecutionTimeout: PAYOUT_EXECUTION_TIMEOUT_SECONDS,
        RetentionPeriodInDays: Match.anyValue(),
      },
    })
    expect(
      template.findResources('AWS::Lambda::Function')[ids.workflow]?.Properties.DurableConfig,
    ).toBeDefined()
  })

  it('runs executions on a published version behind the live alias, which the API starts them on', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      FunctionName: { Ref: ids.workflow },
    })
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [PAYMENTS_ENV.payoutFunction]: { Ref: ids.alias } }) },
    })
  })

  it('may checkpoint and read the state of its own executions only, inline, with no managed policy', () => {
    expect(lambdaStatements(ids.workflowRole)).toEqual([
      {
        actions: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
        resources: [qualifiedPattern(ids.workflow)],
      },
    ])
    expect(
      template.findResources('AWS::IAM::Role')[ids.workflowRole]?.Properties.ManagedPolicyArns,
    ).toBeUndefined()
  })

  it('holds its claim in the idempotency table and writes payouts and the bank ledger, nothing else', () => {
    expect(dynamoStatements(ids.workflowRole)).toEqual(
      expect.arrayContaining([
        { actions: [...IDEMPOTENCY_STORE_ACTIONS].sort(), resources: [arnOf(ids.idem)] },
        {
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [arnOf(ids.payouts)],
        },
        { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [arnOf(ids.bank)] },
      ]),
    )
    expect(dynamoStatements(ids.workflowRole)).toHaveLength(3)
  })
})

describe('the payout API functions', () => {
  it('lets POST /payouts invoke the live alias and nothing else of Lambda', () => {
    expect(lambdaStatements(ids.createRole)).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: [{ Ref: ids.alias }] },
    ])
    expect(dynamoStatements(ids.createRole)).toEqual([
      { actions: [...IDEMPOTENCY_STORE_ACTIONS].sort(), resources: [arnOf(ids.idem)] },
    ])
  })

  it('lets GET /operations/{id} find and read the executions of the payout function, and touch no table', () => {
    expect(lambdaStatements(ids.getRole)).toEqual(
      expect.arrayContaining([
        // The function, and its live alias: the list is asked again under the alias when the plain one misses.
        {
          actions: ['lambda:ListDurableExecutionsByFunction'],
          resources: [arnOf(ids.workflow), { Ref: ids.alias }],
        },
        { actions: ['lambda:GetDurableExecution'], resources: [qualifiedPattern(ids.workflow)] },
      ]),
    )
    expect(lambdaStatements(ids.getRole)).toHaveLength(2)
    expect(dynamoStatements(ids.getRole)).toEqual([])
  })

  it.each(['POST /payouts', 'GET /operations/{id}'])('puts the Cognito JWT authorizer on %s', (routeKey) => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: routeKey,
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^ApiHttpJwt') },
    })
  })
})

describe('the stack with payouts under cdk-nag AwsSolutions', () => {
  it('leaves no error unacknowledged, and every acknowledgement silences a finding', () => {
    const acks = acknowledgementsIn(app)
    const errors = nag.findings.filter((finding) => finding.level === NagMessageLevel.ERROR)
    expect(errors.filter((f) => !acks.some((ack) => covers(ack, f))).map((f) => f.ruleId)).toEqual([])
    for (const ack of acks)
      expect(
        nag.findings.some((finding) => covers(ack, finding)),
        ack.ruleId,
      ).toBe(true)
  })
})

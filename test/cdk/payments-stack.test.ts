import { Match, Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { PAYMENTS_ENV } from '../../functions/shared/tables.js'
import { IDEMPOTENCY_STORE_ACTIONS } from '../../lib/cdk/index.js'
import { IDEMPOTENCY_TTL_ATTRIBUTE } from '../../lib/dynamodb/schema.js'
import { logicalIdOf, policyActions } from '../support/cdk-template.js'
import { acknowledgementsIn, covers, NagMessageLevel } from '../support/nag.js'
import { nagCheckedPaymentsStack } from '../support/payments-stack.js'

const { app, stack, nag } = nagCheckedPaymentsStack()
let template: Template
const ids = {
  idempotency: '',
  payments: '',
  ledger: '',
  outbox: '',
  fulfilments: '',
  createRole: '',
  getRole: '',
  publishRole: '',
  fulfilRole: '',
}

beforeAll(() => {
  // Synthesis runs the validation plugins and throws on any unacknowledged error.
  app.synth()
  template = Template.fromStack(stack)
  ids.idempotency = logicalIdOf(template, 'AWS::DynamoDB::Table', 'Idempotency')
  ids.payments = logicalIdOf(template, 'AWS::DynamoDB::Table', 'Payments')
  ids.ledger = logicalIdOf(template, 'AWS::DynamoDB::Table', 'GatewayLedger')
  ids.createRole = logicalIdOf(template, 'AWS::IAM::Role', 'CreatePaymentRole')
  ids.getRole = logicalIdOf(template, 'AWS::IAM::Role', 'GetPaymentRole')
  ids.outbox = logicalIdOf(template, 'AWS::DynamoDB::Table', 'EventsOutbox')
  ids.fulfilments = logicalIdOf(template, 'AWS::DynamoDB::Table', 'EventsFulfilments')
  ids.publishRole = logicalIdOf(template, 'AWS::IAM::Role', 'EventsPublishOutboxRole')
  ids.fulfilRole = logicalIdOf(template, 'AWS::IAM::Role', 'EventsFulfilOrderRole')
})

/** What a DynamoDB Streams event source needs of its function's role (test/cdk/payment-events.test.ts pins them). */
const STREAM_READS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
]

const functionNamed = (prefix: string) =>
  template.findResources('AWS::Lambda::Function')[logicalIdOf(template, 'AWS::Lambda::Function', prefix)]
const tableArn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] })

describe('PaymentsStack tables', () => {
  it('keys payments on paymentId and the ledger on gatewayKey, both recoverable', () => {
    for (const [id, key] of [
      [ids.payments, 'paymentId'],
      [ids.ledger, 'gatewayKey'],
    ] as const) {
      expect(template.findResources('AWS::DynamoDB::Table')[id]?.Properties).toMatchObject({
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      })
    }
  })

  it('gives the idempotency table the runtime TTL attribute and keeps it and the payments when the stack goes', () => {
    const tables = template.findResources('AWS::DynamoDB::Table')
    expect(tables[ids.idempotency]?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: IDEMPOTENCY_TTL_ATTRIBUTE,
      Enabled: true,
    })
    for (const id of [ids.idempotency, ids.payments])
      expect(tables[id]).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: { DeletionProtectionEnabled: true },
      })
  })
})

describe('PaymentsStack functions', () => {
  it.each(['CreatePayment', 'GetPayment', 'EventsPublishOutbox', 'EventsFulfilOrder'])(
    'runs %s on nodejs22.x, arm64, with JSON logs',
    (name) => {
      expect(functionNamed(name)?.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: {
          LogFormat: 'JSON',
          LogGroup: { Ref: expect.stringMatching(new RegExp(`^${name}Logs`)) },
        },
      })
    },
  )

  it('keeps each function log group for a month', () => {
    for (const name of [
      'CreatePaymentLogs',
      'GetPaymentLogs',
      'EventsPublishOutboxLogs',
      'EventsFulfilOrderLogs',
    ])
      expect(
        template.findResources('AWS::Logs::LogGroup')[logicalIdOf(template, 'AWS::Logs::LogGroup', name)],
      ).toMatchObject({ Properties: { RetentionInDays: 30 } })
  })

  it('gives create-payment its four tables and a 10 s timeout, the window its lease and wait assume', () => {
    const { Environment, Timeout } = functionNamed('CreatePayment')?.Properties ?? {}
    expect(Timeout).toBe(10)
    expect(Environment.Variables).toEqual({
      [PAYMENTS_ENV.idempotencyTable]: { Ref: ids.idempotency },
      [PAYMENTS_ENV.paymentsTable]: { Ref: ids.payments },
      [PAYMENTS_ENV.gatewayLedgerTable]: { Ref: ids.ledger },
      [PAYMENTS_ENV.outboxTable]: { Ref: ids.outbox },
      NODE_OPTIONS: '--enable-source-maps',
    })
  })

  it('gives get-payment the payments table and nothing else', () => {
    expect(functionNamed('GetPayment')?.Properties.Environment.Variables).toEqual({
      [PAYMENTS_ENV.paymentsTable]: { Ref: ids.payments },
      NODE_OPTIONS: '--enable-source-maps',
    })
  })
})

describe('PaymentsStack least privilege', () => {
  const dynamoStatements = (role: string) =>
    policyActions(template, role).filter((s) => s.actions.some((action) => action.startsWith('dynamodb:')))

  it('grants create-payment exactly the store actions on the idempotency table and its own calls elsewhere', () => {
    expect(dynamoStatements(ids.createRole)).toEqual(
      expect.arrayContaining([
        { actions: [...IDEMPOTENCY_STORE_ACTIONS].sort(), resources: [tableArn(ids.idempotency)] },
        { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [tableArn(ids.payments)] },
        { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [tableArn(ids.ledger)] },
        { actions: ['dynamodb:PutItem'], resources: [tableArn(ids.outbox)] },
      ]),
    )
    expect(dynamoStatements(ids.createRole)).toHaveLength(4)
  })

  it('lets get-payment only read payments', () => {
    expect(dynamoStatements(ids.getRole)).toEqual([
      { actions: ['dynamodb:GetItem'], resources: [tableArn(ids.payments)] },
    ])
  })

  it('grants no wildcard action and no write beyond the listed ones anywhere in the stack', () => {
    const allowedWrites = new Set([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      // The publisher's stream reads: reads, though their names do not end in GetItem.
      ...STREAM_READS,
    ])
    // The daily totals job's batch writes to its reports table and its Query of the byDay index are pinned in
    // test/cdk/daily-totals.test.ts; everywhere else, the rule stands.
    const reports = tableArn(logicalIdOf(template, 'AWS::DynamoDB::Table', 'DailyTotalsReports'))
    const elsewhere = policyActions(template).filter(
      (s) =>
        JSON.stringify(s.resources) !== JSON.stringify([reports]) &&
        !(s.actions.length === 1 && s.actions[0] === 'dynamodb:Query'),
    )
    expect(policyActions(template).flatMap((s) => s.actions)).not.toContain('dynamodb:Scan')
    const actions = elsewhere.flatMap((s) => s.actions)
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([])
    expect(
      actions.filter((action) => /^dynamodb:.*(Write|Batch(?!Get)|Delete(?!Item)|Table)/.test(action)),
    ).toEqual([])
    expect(
      actions.filter((a) => a.startsWith('dynamodb:') && !a.endsWith('GetItem') && !allowedWrites.has(a)),
    ).toEqual([])
  })

  it('lets each function role write only to its own log group', () => {
    for (const [role, logs] of [
      [ids.createRole, 'CreatePaymentLogs'],
      [ids.getRole, 'GetPaymentLogs'],
      [ids.publishRole, 'EventsPublishOutboxLogs'],
      [ids.fulfilRole, 'EventsFulfilOrderLogs'],
    ] as const) {
      expect(
        policyActions(template, role).filter((s) => s.actions.some((a) => a.startsWith('logs:'))),
      ).toEqual([
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [{ 'Fn::GetAtt': [logicalIdOf(template, 'AWS::Logs::LogGroup', logs), 'Arn'] }],
        },
      ])
      expect(template.findResources('AWS::IAM::Role')[role]?.Properties.ManagedPolicyArns).toBeUndefined()
    }
  })
})

describe('PaymentsStack HTTP API', () => {
  it.each(['POST /payments', 'GET /payments/{paymentId}'])(
    'puts the Cognito JWT authorizer on %s',
    (routeKey) => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: Match.stringLikeRegexp('^ApiHttpJwt') },
      })
    },
  )

  it('accepts only tokens the stack user pool issued for its app client', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('^ApiUsersCli') }],
        Issuer: Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: Match.stringLikeRegexp('^ApiUsers') }])]),
        }),
      },
    })
  })

  it('throttles the default stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    })
  })

  it('lets no one sign themselves up to the user pool', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    })
  })

  it('outputs the API URL and the user pool ids', () => {
    for (const output of ['ApiUrl', 'UserPoolId', 'UserPoolClientId'])
      template.hasOutput(output, { Value: Match.anyValue() })
  })
})

describe('PaymentsStack under cdk-nag AwsSolutions', () => {
  it('leaves no error unacknowledged', () => {
    const errors = nag.findings.filter((finding) => finding.level === NagMessageLevel.ERROR)
    const acks = acknowledgementsIn(app)
    const unacknowledged = errors.filter((finding) => !acks.some((ack) => covers(ack, finding)))
    expect(unacknowledged.map((f) => `${f.ruleId} on ${f.construct.node.path}`)).toEqual([])
  })

  it('gives every acknowledgement a reason and ties it to a finding it silences', () => {
    const acks = acknowledgementsIn(app)
    expect(acks.length).toBeGreaterThan(0)
    for (const ack of acks) {
      expect(ack.reason.length, ack.ruleId).toBeGreaterThan(40)
      expect(
        nag.findings.some((finding) => covers(ack, finding)),
        `${ack.ruleId} on ${ack.construct.node.path}`,
      ).toBe(true)
    }
  })
})

import { Match, Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DAILY_TOTALS_ENV,
  DAILY_TOTALS_KEYS,
  PAYMENT_DAY_ATTRIBUTE,
  PAYMENTS_BY_DAY_INDEX,
  PAYMENTS_BY_DAY_PROJECTION,
  PAYMENTS_BY_DAY_SORT_KEY,
} from '../../functions/shared/daily-totals-schema.js'
import { DYNAMODB_PARTITIONS_ACTIONS, PIPELINE_JOB_STORE_ACTIONS } from '../../lib/cdk/index.js'
import { IDEMPOTENCY_TABLE_ENV } from '../../lib/dynamodb/schema.js'
import { logicalIdOf, policyActions } from '../support/cdk-template.js'
import { nagCheckedPaymentsStack } from '../support/payments-stack.js'

const { app, stack } = nagCheckedPaymentsStack()
let template: Template
const ids = { job: '', role: '', alias: '', reports: '', payments: '', idempotency: '', failures: '' }

beforeAll(() => {
  // Synthesis runs cdk-nag and throws on any unacknowledged error (test/cdk/payments-stack.test.ts lists them).
  app.synth()
  template = Template.fromStack(stack)
  ids.job = logicalIdOf(template, 'AWS::Lambda::Function', 'DailyTotalsJob')
  ids.role = logicalIdOf(template, 'AWS::IAM::Role', 'DailyTotalsJobRole')
  ids.alias = logicalIdOf(template, 'AWS::Lambda::Alias', 'DailyTotalsJobLive')
  ids.reports = logicalIdOf(template, 'AWS::DynamoDB::Table', 'DailyTotalsReports')
  ids.payments = logicalIdOf(template, 'AWS::DynamoDB::Table', 'Payments')
  ids.idempotency = logicalIdOf(template, 'AWS::DynamoDB::Table', 'Idempotency')
  ids.failures = logicalIdOf(template, 'AWS::SQS::Queue', 'DailyTotalsFailures')
})

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] })
const only = (type: string) => {
  const resources = Object.values(template.findResources(type))
  expect(resources).toHaveLength(1)
  return resources[0]?.Properties
}
/** The schedules by cron expression: the nightly run, and the catch-up that follows it. */
const schedules = () =>
  Object.fromEntries(
    Object.values(template.findResources('AWS::Scheduler::Schedule')).map((resource) => [
      resource.Properties.ScheduleExpression,
      resource.Properties,
    ]),
  )
const nightly = () => schedules()['cron(15 0 * * ? *)']

describe('the daily totals schedule', () => {
  it('invokes the job every day at 00:15 UTC with no date, through its live alias', () => {
    expect(nightly()).toMatchObject({
      ScheduleExpression: 'cron(15 0 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { Arn: { Ref: ids.alias }, Input: '{}' },
    })
    expect(template.findResources('AWS::Lambda::Alias')[ids.alias]?.Properties).toMatchObject({
      FunctionName: { Ref: ids.job },
      Name: 'live',
    })
  })

  it('runs yesterday again at 06:15 UTC, past any lease a run that died at 00:15 can hold: a replay if it completed', () => {
    // A run that dies (out of memory, a crash) keeps its day for its lease, at least 5 min; Lambda's two async
    // retries come about 1 and 2 min later, find the day busy, and the day would go to the dead-letter queue.
    expect(Object.keys(schedules()).sort()).toEqual(['cron(15 0 * * ? *)', 'cron(15 6 * * ? *)'])
    expect(schedules()['cron(15 6 * * ? *)']).toMatchObject({
      ScheduleExpressionTimezone: 'Etc/UTC',
      Target: { ...nightly()?.Target },
    })
  })

  it('retries failed deliveries within the day, then dead-letters them to an encrypted queue', () => {
    expect(nightly()?.Target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 6 * 3600 },
      DeadLetterConfig: { Arn: arnOf(ids.failures) },
    })
    expect(template.findResources('AWS::SQS::Queue')[ids.failures]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    })
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids.failures }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    })
  })

  it("sends the job's failed runs, after Lambda's two retries, to the same queue", () => {
    expect(only('AWS::Lambda::EventInvokeConfig')).toMatchObject({
      FunctionName: { Ref: ids.job },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: arnOf(ids.failures) } },
    })
  })

  it('lets the scheduler role invoke the live alias and write its dead letters, nothing else', () => {
    const schedulerRole = nightly()?.Target.RoleArn['Fn::GetAtt'][0]
    expect(policyActions(template, schedulerRole)).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: [{ Ref: ids.alias }] },
      { actions: ['sqs:SendMessage'], resources: [arnOf(ids.failures)] },
    ])
  })
})

describe('the daily totals job', () => {
  it("runs functions/daily-totals.ts's handler with the names of its three tables", () => {
    const props = template.findResources('AWS::Lambda::Function')[ids.job]?.Properties
    expect(props).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 300,
    })
    expect(props.Environment.Variables).toEqual({
      [DAILY_TOTALS_ENV.paymentsTable]: { Ref: ids.payments },
      [DAILY_TOTALS_ENV.reportsTable]: { Ref: ids.reports },
      [IDEMPOTENCY_TABLE_ENV]: { Ref: ids.idempotency },
      NODE_OPTIONS: '--enable-source-maps',
    })
  })

  it('may Query the byDay index only, run its job records, and replace partitions of the reports table', () => {
    const dynamo = policyActions(template, ids.role).filter((s) =>
      s.actions.some((action) => action.startsWith('dynamodb:')),
    )
    expect(dynamo).toEqual([
      { actions: [...PIPELINE_JOB_STORE_ACTIONS].sort(), resources: [arnOf(ids.idempotency)] },
      {
        actions: ['dynamodb:Query'],
        resources: [{ 'Fn::Join': ['', [arnOf(ids.payments), `/index/${PAYMENTS_BY_DAY_INDEX}`]] }],
      },
      { actions: [...DYNAMODB_PARTITIONS_ACTIONS].sort(), resources: [arnOf(ids.reports)] },
    ])
    expect(dynamo.flatMap((s) => s.actions)).not.toContain('dynamodb:Scan')
  })
})

describe('the daily totals tables', () => {
  it('indexes payments by UTC day, projecting only what the job reads', () => {
    const index = template
      .findResources('AWS::DynamoDB::Table')
      [ids.payments]?.Properties.GlobalSecondaryIndexes.find(
        (gsi: { IndexName: string }) => gsi.IndexName === PAYMENTS_BY_DAY_INDEX,
      )
    expect(index).toEqual({
      IndexName: PAYMENTS_BY_DAY_INDEX,
      KeySchema: [
        { AttributeName: PAYMENT_DAY_ATTRIBUTE, KeyType: 'HASH' },
        { AttributeName: PAYMENTS_BY_DAY_SORT_KEY, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...PAYMENTS_BY_DAY_PROJECTION] },
    })
  })

  it("keys the reports table as dynamoDBPartitions does, with TTL on its superseded runs' rows", () => {
    expect(template.findResources('AWS::DynamoDB::Table')[ids.reports]).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: {
        KeySchema: [
          { AttributeName: DAILY_TOTALS_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: DAILY_TOTALS_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: DAILY_TOTALS_KEYS.ttlAttribute, Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    })
  })
})

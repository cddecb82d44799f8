import { App } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { FULFILMENT_MAX_RECEIVE_COUNT } from '../../functions/shared/event-queue.js'
import { PAYMENTS_ENV } from '../../functions/shared/tables.js'
import { PaymentsStack } from '../../infra/payments-stack.js'
import { IDEMPOTENCY_STORE_ACTIONS } from '../../lib/cdk/index.js'
import { cdkJsonContext, logicalIdOf, policyActions } from '../support/cdk-template.js'

// Placeholder function code, as in payments-stack.test.ts (which also runs cdk-nag over these resources).
const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } })
const stack = new PaymentsStack(app, 'Payments')
let template: Template
const id = (type: string, prefix: string) => logicalIdOf(template, type, prefix)
const arn = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] })
const resource = (type: string, prefix: string) => template.findResources(type)[id(type, prefix)]
const TABLE = 'AWS::DynamoDB::Table'
const QUEUE = 'AWS::SQS::Queue'
const FUNCTION = 'AWS::Lambda::Function'

beforeAll(() => {
  app.synth()
  template = Template.fromStack(stack)
})

describe('PaymentsStack events: the outbox and its table', () => {
  it('streams new outbox items (NEW_IMAGE), keyed by event id, expiring on expiresAt', () => {
    expect(resource(TABLE, 'EventsOutbox')).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: {
        KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    })
  })

  it('keeps fulfilments, keyed by fulfilment id, when the stack goes', () => {
    expect(resource(TABLE, 'EventsFulfilments')).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'fulfilmentId', KeyType: 'HASH' }],
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    })
  })
})

describe('PaymentsStack events: publisher and queue', () => {
  it('drives the publisher from the outbox stream: INSERTs only, partial responses, bisection, bounded retries, an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(FUNCTION, 'EventsPublishOutbox') },
      EventSourceArn: arn(id(TABLE, 'EventsOutbox'), 'StreamArn'),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: arn(id(QUEUE, 'EventsPublishFailures')) } },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
    })
  })

  it('dead-letters a fulfilment message after the receive count the local queue also uses', () => {
    const queue = resource(QUEUE, 'EventsFulfilmentQueue')
    expect(queue?.Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: arn(id(QUEUE, 'EventsFulfilmentDeadLetters')),
      maxReceiveCount: FULFILMENT_MAX_RECEIVE_COUNT,
    })
    // Six times the consumer's timeout, so a message is never visible again while a batch still runs.
    const timeout = resource(FUNCTION, 'EventsFulfilOrder')?.Properties.Timeout
    expect(queue?.Properties.VisibilityTimeout).toBe(6 * timeout)
  })

  it.each(['EventsFulfilmentQueue', 'EventsFulfilmentDeadLetters', 'EventsPublishFailures'])(
    'encrypts %s at rest and refuses it any request without TLS',
    (name) => {
      expect(resource(QUEUE, name)?.Properties.SqsManagedSseEnabled).toBe(true)
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id(QUEUE, name) }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      })
    },
  )

  it('feeds fulfil-order from the queue, ten messages a batch, with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(FUNCTION, 'EventsFulfilOrder') },
      EventSourceArn: arn(id(QUEUE, 'EventsFulfilmentQueue')),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    })
  })
})

describe('PaymentsStack events: each function gets what its code uses', () => {
  it('tells the publisher the queue URL, and fulfil-order its two tables', () => {
    expect(resource(FUNCTION, 'EventsPublishOutbox')?.Properties.Environment.Variables).toEqual({
      [PAYMENTS_ENV.fulfilmentQueueUrl]: { Ref: id(QUEUE, 'EventsFulfilmentQueue') },
      NODE_OPTIONS: '--enable-source-maps',
    })
    expect(resource(FUNCTION, 'EventsFulfilOrder')?.Properties.Environment.Variables).toEqual({
      [PAYMENTS_ENV.idempotencyTable]: { Ref: id(TABLE, 'Idempotency') },
      [PAYMENTS_ENV.fulfilmentsTable]: { Ref: id(TABLE, 'EventsFulfilments') },
      NODE_OPTIONS: '--enable-source-maps',
    })
  })

  const beyondLogs = (role: string) =>
    policyActions(template, id('AWS::IAM::Role', role)).filter(
      (statement) => !statement.actions.some((action) => action.startsWith('logs:')),
    )

  it('lets the publisher read the outbox stream, send to the queue and report to its failure queue, nothing more', () => {
    expect(beyondLogs('EventsPublishOutboxRole')).toEqual([
      { actions: ['sqs:SendMessage'], resources: [arn(id(QUEUE, 'EventsFulfilmentQueue'))] },
      {
        actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        resources: [arn(id(QUEUE, 'EventsPublishFailures'))],
      },
      { actions: ['dynamodb:ListStreams'], resources: ['*'] },
      {
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [arn(id(TABLE, 'EventsOutbox'), 'StreamArn')],
      },
    ])
  })

  it('lets fulfil-order use its idempotency records, read and put fulfilments, and consume the queue', () => {
    expect(beyondLogs('EventsFulfilOrderRole')).toEqual([
      {
        actions: [...IDEMPOTENCY_STORE_ACTIONS].sort(),
        resources: [arn(id(TABLE, 'Idempotency'))],
      },
      {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [arn(id(TABLE, 'EventsFulfilments'))],
      },
      {
        actions: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        resources: [arn(id(QUEUE, 'EventsFulfilmentQueue'))],
      },
    ])
  })
})

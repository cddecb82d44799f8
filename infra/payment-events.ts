import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import { StreamViewType, type Table } from 'aws-cdk-lib/aws-dynamodb'
import type { IRole } from 'aws-cdk-lib/aws-iam'
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda'
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { FULFILMENT_MAX_RECEIVE_COUNT, MAX_QUEUE_BATCH } from '../functions/shared/event-queue.js'
import {
  FULFILMENTS_PARTITION_KEY,
  OUTBOX_PARTITION_KEY,
  OUTBOX_TTL_ATTRIBUTE,
  PAYMENTS_ENV,
} from '../functions/shared/tables.js'
import type { IdempotencyTable } from '../lib/cdk/index.js'
import { paymentFunction } from './payment-function.js'
import { sampleTable } from './sample-table.js'

/** 30 s: a batch of ten is a few DynamoDB or SQS calls; the rest is room for a cold start and SDK retries. */
const EVENT_FUNCTION_TIMEOUT = Duration.seconds(30)
/** AWS's advice for an SQS event source: a visibility timeout of six times the function timeout. */
const QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(6 * EVENT_FUNCTION_TIMEOUT.toSeconds())
/** 14 days, SQS's maximum: time to notice a dead letter, fix the cause and redrive it. */
const DEAD_LETTER_RETENTION = Duration.days(14)
/**
 * Attempts per stream batch before its records go to the on-failure queue. With bisection, a record that can
 * never be sent is isolated within a few attempts; ten ride out a few minutes of SQS trouble without holding
 * the shard (and every later payment's event) back for the stream's whole 24 h.
 */
const PUBLISH_RETRY_ATTEMPTS = 10

export interface PaymentEventsProps {
  readonly idempotency: IdempotencyTable
}

/**
 * The event half of the sample: the outbox table create-payment writes its event into, a publisher driven by
 * the outbox's stream that forwards each event to the fulfilment queue, and fulfil-order consuming that queue
 * idempotently. Failed records never block the rest: the publisher reports them per record and, after its
 * retries, to an on-failure queue; the consumer reports them per message and the queue dead-letters them.
 */
export class PaymentEvents extends Construct {
  readonly outbox: Table
  readonly fulfilments: Table
  readonly queue: Queue
  readonly deadLetters: Queue
  readonly publishFailures: Queue
  readonly publisher: IFunction
  readonly consumer: IFunction

  constructor(scope: Construct, id: string, props: PaymentEventsProps) {
    super(scope, id)
    this.outbox = sampleTable(this, 'Outbox', OUTBOX_PARTITION_KEY, {
      // The publisher needs the event as written and nothing before it.
      stream: StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: OUTBOX_TTL_ATTRIBUTE,
      // Events are delivered within seconds and kept a week; the payments they announce are what is retained.
      removalPolicy: RemovalPolicy.DESTROY,
    })
    this.fulfilments = sampleTable(this, 'Fulfilments', FULFILMENTS_PARTITION_KEY, {
      // Orders are business records, kept like the payments when the stack goes.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    })

    const queueBasics = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true }
    this.deadLetters = new Queue(this, 'FulfilmentDeadLetters', {
      ...queueBasics,
      retentionPeriod: DEAD_LETTER_RETENTION,
    })
    this.queue = new Queue(this, 'FulfilmentQueue', {
      ...queueBasics,
      visibilityTimeout: QUEUE_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: FULFILMENT_MAX_RECEIVE_COUNT },
    })
    this.publishFailures = new Queue(this, 'PublishFailures', {
      ...queueBasics,
      retentionPeriod: DEAD_LETTER_RETENTION,
    })
    Validations.of(this.publishFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the outbox stream mapping (its OnFailure): it holds ' +
        'the shard and sequence numbers of batches that could not be published, for a person to replay. A DLQ ' +
        'behind it would only move those pointers again.',
    })

    this.publisher = this.createPublisher()
    this.consumer = this.createConsumer(props.idempotency)
  }

  private createPublisher(): IFunction {
    const publisher = paymentFunction(this, 'PublishOutbox', {
      entry: 'functions/publish-outbox.ts',
      description: 'Outbox stream to the fulfilment queue: payment events, at least once',
      memorySize: 256,
      timeout: EVENT_FUNCTION_TIMEOUT,
      environment: { [PAYMENTS_ENV.fulfilmentQueueUrl]: this.queue.queueUrl },
    })
    // SendMessageBatch is authorised as sqs:SendMessage; the queue URL comes from the environment.
    this.queue.grant(publisher, 'sqs:SendMessage')
    publisher.addEventSource(
      new DynamoEventSource(this.outbox, {
        // The stream's whole 24 h: a mapping created late still publishes events already written.
        startingPosition: StartingPosition.TRIM_HORIZON,
        // One SendMessageBatch per invocation; a retry from the lowest failure resends at most nine others.
        batchSize: MAX_QUEUE_BATCH,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: PUBLISH_RETRY_ATTEMPTS,
        onFailure: new SqsDlq(this.publishFailures),
        // TTL's REMOVE records are no events: they never invoke the function.
        filters: [FilterCriteria.filter({ eventName: FilterRule.isEqual('INSERT') })],
      }),
    )
    Validations.of(publisher.role as IRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "aws-cdk-lib's DynamoEventSource grants dynamodb:ListStreams, which Lambda's stream mappings require of " +
        'the execution role, on *: it lists the account’s stream ARNs and reads no records. The reads ' +
        '(DescribeStream, GetRecords, GetShardIterator) are granted on the outbox stream ARN only.',
    })
    return publisher
  }

  private createConsumer(idempotency: IdempotencyTable): IFunction {
    const consumer = paymentFunction(this, 'FulfilOrder', {
      entry: 'functions/fulfil-order.ts',
      description:
        'Fulfilment queue consumer: one fulfilment per paid payment, however often its event arrives',
      memorySize: 256,
      timeout: EVENT_FUNCTION_TIMEOUT,
      environment: { [PAYMENTS_ENV.fulfilmentsTable]: this.fulfilments.tableName },
    })
    idempotency.connect(consumer)
    // A fulfilment outliving its idempotency record is read; a new one is put inside the completion transaction.
    this.fulfilments.grant(consumer, 'dynamodb:GetItem', 'dynamodb:PutItem')
    consumer.addEventSource(
      new SqsEventSource(this.queue, { batchSize: MAX_QUEUE_BATCH, reportBatchItemFailures: true }),
    )
    return consumer
  }
}

import type {
  DynamoDBBatchResponse,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
  MSKEvent,
  MSKRecord,
  S3Event,
  S3EventRecord,
  SelfManagedKafkaEvent,
  SelfManagedKafkaRecord,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda'
import { canonicalJson } from '../fingerprint.js'
import type { RecordOutcome } from './batch-runner.js'
import {
  dynamoDBStreamKey,
  kafkaRecordKey,
  kinesisRecordKey,
  kinesisShardId,
  s3RecordKey,
  sqsMessageKey,
} from './keys.js'

/** What the batch helpers need to know about an event source. */
export interface BatchSource<TEvent, TRecord, TResponse> {
  readonly name: string
  records(event: TEvent): readonly TRecord[]
  /** The default idempotency key. */
  key(record: TRecord): string | undefined
  /** The default fingerprint input: what stays the same on every redelivery of the record. */
  payload(record: TRecord): unknown
  /** Records whose order the source promises; after one is not done, the rest of its group does not run. */
  group(record: TRecord): string | undefined
  /** The invocation's answer for these not-done records. */
  respond(notDone: readonly RecordOutcome<TRecord>[]): TResponse
}

function partialResponse<TRecord>(identifier: (record: TRecord) => string) {
  return (notDone: readonly RecordOutcome<TRecord>[]) => ({
    batchItemFailures: notDone.map(({ record }) => ({ itemIdentifier: identifier(record) })),
  })
}

/**
 * For sources without a partial batch response (or where this library does not rely on one): fail the whole
 * invocation, so the source retries it; the records already done are skipped on that retry.
 */
function failWholeBatch<TRecord>(name: string) {
  return (notDone: readonly RecordOutcome<TRecord>[]): void => {
    if (notDone.length === 0) return
    const errors = notDone.map(({ kind, error }) => error ?? new Error(`record ${kind}`))
    throw new AggregateError(errors, `${notDone.length} ${name} record(s) not done; the retry skips the rest`)
  }
}

/** SQS standard and FIFO. Key and identifier are the `messageId`; FIFO message groups keep their order. */
export const sqsBatch: BatchSource<SQSEvent, SQSRecord, SQSBatchResponse> = {
  name: 'SQS',
  records: (event) => event.Records,
  key: sqsMessageKey,
  payload: (record) => record.body,
  group: (record) => record.attributes.MessageGroupId,
  respond: partialResponse((record) => record.messageId),
}

const streamSequence = (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber ?? ''

/**
 * DynamoDB Streams. Lambda resumes the shard from the lowest reported sequence number (an empty identifier
 * fails the whole batch, which is the safe reading of a record without one); each item's changes keep their
 * order. `ApproximateCreationDateTime` is left out of the fingerprint: only the change itself matters.
 */
export const dynamoDBStreamBatch: BatchSource<DynamoDBStreamEvent, DynamoDBRecord, DynamoDBBatchResponse> = {
  name: 'DynamoDB Streams',
  records: (event) => event.Records,
  key: dynamoDBStreamKey,
  payload: (record) => [
    record.eventName,
    record.dynamodb?.Keys,
    record.dynamodb?.NewImage,
    record.dynamodb?.OldImage,
  ],
  group: (record) => canonicalJson(record.dynamodb?.Keys ?? null),
  respond: partialResponse(streamSequence),
}

/**
 * Kinesis Data Streams. Needs `ReportBatchItemFailures` on the event source mapping (CDK: `new
 * KinesisEventSource(stream, { reportBatchItemFailures: true, ... })`): without it Lambda ignores the response,
 * counts the batch a success and moves past the records it names.
 *
 * - Key: `kinesisRecordKey`, stream ARN + shard + sequence number.
 * - Ordering: per shard (from `eventID`). Once a record is not done, the rest of its shard in the batch is
 *   `skipped`, and every record not done is named by sequence number: Lambda resumes the shard from the lowest,
 *   the first one not done, and the retry skips what was done. Lambda reads each batch from one shard and a
 *   child shard only once its parent is done, so resharding keeps each partition key's order; records of
 *   different shards (a parent and its children included) never share a lane or a key.
 * - Fingerprint: the data alone. A retry of the shard re-reads the same record; with a producer key
 *   (`kinesisDataKey`), a resend may carry a new partition key (random ones spread load) and a new arrival time,
 *   and is still the same request.
 */
export const kinesisBatch: BatchSource<KinesisStreamEvent, KinesisStreamRecord, KinesisStreamBatchResponse> =
  {
    name: 'Kinesis',
    records: (event) => event.Records,
    key: kinesisRecordKey,
    payload: (record) => record.kinesis.data,
    group: (record) => canonicalJson([record.eventSourceARN ?? null, kinesisShardId(record) ?? null]),
    respond: partialResponse((record) => record.kinesis.sequenceNumber),
  }

/** Amazon MSK and self-managed Kafka events, which carry the same records. */
export type KafkaEvent = MSKEvent | SelfManagedKafkaEvent
/** A record of either Kafka event. */
export type KafkaRecord = MSKRecord | SelfManagedKafkaRecord

/**
 * Amazon MSK and self-managed Kafka. Partitions keep their order. Partial batch responses for Kafka exist only
 * in provisioned mode, so a batch with a record not done fails as a whole and the retry skips what was done.
 */
export const kafkaBatch: BatchSource<KafkaEvent, KafkaRecord, void> = {
  name: 'Kafka',
  records: (event) => Object.values(event.records).flat(),
  key: kafkaRecordKey,
  payload: (record) => [record.key, record.value],
  group: (record) => canonicalJson([record.topic, record.partition]),
  respond: failWholeBatch('Kafka'),
}

/**
 * S3 event notifications (invoked asynchronously: a failed invocation is retried whole). One key per
 * notification (`s3RecordKey`); the fingerprint, event name and object, is the same on every redelivery.
 */
export const s3Batch: BatchSource<S3Event, S3EventRecord, void> = {
  name: 'S3',
  records: (event) => event.Records,
  key: s3RecordKey,
  payload: (record) => [record.eventName, record.s3.object],
  group: (record) => canonicalJson([record.s3.bucket.name, record.s3.object.key]),
  respond: failWholeBatch('S3'),
}

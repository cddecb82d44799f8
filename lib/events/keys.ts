import type {
  DynamoDBRecord,
  EventBridgeEvent,
  KinesisStreamRecord,
  MSKRecord,
  S3EventRecord,
  SelfManagedKafkaRecord,
  SQSRecord,
} from 'aws-lambda'
import { canonicalJson } from '../fingerprint.js'
import { jsonMember } from '../json-members.js'

// Raw keys only: the engine scopes each one with its namespace and stores nothing but its SHA-256.
// Composite keys are canonical JSON arrays, so no topic or object key can forge a separator and collide.

/**
 * The SQS message itself: its `messageId`, standard and FIFO queues alike.
 *
 * - Same delivery: every Lambda redelivery of the message (visibility timeout, a failed batch item, a second
 *   poller), which keeps its `messageId`.
 * - Kept apart: every message SQS delivered as a message of its own, including two FIFO messages with one
 *   `MessageDeduplicationId`: in two message groups under `DeduplicationScope=messageGroup`, or sent more than
 *   SQS's 5-minute deduplication window apart (content-based ids of identical bodies). A deduplication id only
 *   means "the same" inside SQS's own window and scope, and SQS never delivers twice what it deduplicated.
 * - Not covered: a producer's resend that SQS delivered as a new message (a standard queue, or a FIFO resend
 *   after the window). For those, key on the producer's own id with `sqsAttributeKey` or `sqsBodyKey`.
 */
export function sqsMessageKey(record: SQSRecord): string {
  return record.messageId
}

/**
 * A producer-supplied key carried in a String message attribute: the same for every delivery and every resend
 * of one business request, for as long as `ttlSeconds` keeps it, whatever SQS's deduplication window. Two
 * messages that carry one key are one request: a different body under it is refused as a mismatch.
 */
export function sqsAttributeKey(name: string): (record: SQSRecord) => string | undefined {
  return (record) => record.messageAttributes[name]?.stringValue || undefined
}

/**
 * A producer-supplied key in the JSON body, at a dotted path (`'payment.id'`), with the promise of
 * `sqsAttributeKey`. A body that is not JSON or lacks the field has no key, which the batch reports as a failed
 * record rather than running it unprotected. Only members the body has count: `constructor.name` of a body
 * without `constructor` is no key, not "Object".
 */
export function sqsBodyKey(path: string): (record: SQSRecord) => string | undefined {
  const read = jsonPathKey(path)
  return (record) => read(record.body)
}

/** The string or number at a dotted path of a JSON text; undefined for other text, values or missing fields. */
function jsonPathKey(path: string): (text: string) => string | undefined {
  const steps = path.split('.')
  return (text) => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    for (const step of steps) value = jsonMember(value, step)
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
  }
}

/** Kafka (MSK or self-managed): an offset is unique within its topic partition, and redelivery keeps it. */
export function kafkaRecordKey(record: MSKRecord | SelfManagedKafkaRecord): string {
  return canonicalJson([record.topic, record.partition, record.offset])
}

/** EventBridge: a retried delivery keeps the event's `id`. */
export function eventBridgeKey(event: Pick<EventBridgeEvent<string, unknown>, 'id'>): string {
  return event.id
}

/** DynamoDB Streams: `eventID` is unique per stream record and kept on every retry of the shard's batch. */
export function dynamoDBStreamKey(record: DynamoDBRecord): string | undefined {
  return record.eventID
}

/**
 * The shard a Kinesis record was read from. Lambda does not put it in the record on its own: it is the part of
 * `eventID` (`shardId-000000000000:49590338...`) before the record's sequence number. Undefined when `eventID`
 * does not end with `:` and the record's own sequence number.
 */
export function kinesisShardId(record: KinesisStreamRecord): string | undefined {
  const suffix = `:${record.kinesis.sequenceNumber}`
  const { eventID } = record
  if (!record.kinesis.sequenceNumber || !eventID?.endsWith(suffix) || eventID.length === suffix.length)
    return undefined
  return eventID.slice(0, -suffix.length)
}

/**
 * One Kinesis Data Streams record: the stream's ARN, the shard and the sequence number.
 *
 * - Same delivery: every retry of the shard's batch (a function error, a timeout, a resumption from a reported
 *   sequence number, a bisected batch), which re-reads the same record.
 * - Kept apart: every record of the stream, including records of two shards with one sequence number (Kinesis
 *   makes them unique only within a shard: a parent shard and its children after a split or merge are two
 *   shards) and of two streams served by one idempotency table.
 * - Not covered: a producer's resend. A retried PutRecord is a new record with a new sequence number: key on the
 *   producer's own id with `kinesisDataKey`.
 *
 * The key is per Kinesis record. Lambda does not de-aggregate KPL aggregated records, whose user records share
 * one sequence number: an aggregated record is one unit, done or redone whole. A record whose `eventID` names
 * no shard has no key: the batch reports it rather than merge it with another shard's record.
 */
export function kinesisRecordKey(record: KinesisStreamRecord): string | undefined {
  const shardId = kinesisShardId(record)
  if (shardId === undefined || !record.eventSourceARN) return undefined
  return canonicalJson([record.eventSourceARN, shardId, record.kinesis.sequenceNumber])
}

/**
 * A producer-supplied key at a dotted path (`'payment.id'`) of the record's data, base64 JSON as Lambda delivers
 * it, with the promise of `sqsBodyKey`: the same for every retry of the shard and every resend of one request,
 * for as long as `ttlSeconds` keeps it. Data that is not JSON, or lacks the field, has no key: the batch
 * reports the record (and holds the rest of its shard) rather than run it unprotected.
 */
export function kinesisDataKey(path: string): (record: KinesisStreamRecord) => string | undefined {
  const read = jsonPathKey(path)
  return (record) => {
    const { data } = record.kinesis
    return typeof data === 'string' ? read(Buffer.from(data, 'base64').toString('utf8')) : undefined
  }
}

/** Replication notifications (eventVersion 2.2 and later) name the rule and destination they are about. */
interface ReplicationEventData {
  readonly replicationRuleId?: string
  readonly destinationBucket?: string
}

/**
 * One S3 event notification: bucket, object key, the full event name, the event time, the request id, and the
 * version id, sequencer and replication destination where the record has them.
 *
 * - Same delivery: a redelivery of the notification (S3's own duplicate, Lambda's asynchronous retry), which is
 *   the same JSON.
 * - Kept apart: every other notification, including those with no sequencer (S3 sends one for PUTs and DELETEs
 *   only) and no version id (unversioned buckets): two tagging or ACL changes, a restore's start and completion,
 *   lifecycle and replication events; the keys of one DeleteObjects call (one request id); two PUTs of one key
 *   in the same millisecond (the sequencer); replication failures for two destinations.
 * - Not covered: a business repeat. Uploading one file twice is two PUTs, two notifications: key on your own
 *   id (a name in the object's metadata, say) when the effect must happen once per file.
 *
 * A record without its request id or event time has no key: the batch reports it rather than merging it.
 */
export function s3RecordKey(record: S3EventRecord): string | undefined {
  const requestId = record.responseElements?.['x-amz-request-id']
  if (!requestId || !record.eventTime) return undefined
  const { bucket, object } = record.s3
  const replication = (record as { replicationEventData?: ReplicationEventData }).replicationEventData
  return canonicalJson([
    bucket.name,
    object.key,
    record.eventName,
    record.eventTime,
    requestId,
    object.versionId ?? null,
    object.sequencer ?? null,
    replication?.replicationRuleId ?? null,
    replication?.destinationBucket ?? null,
  ])
}

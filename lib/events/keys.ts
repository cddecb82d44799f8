import type {
  DynamoDBRecord,
  EventBridgeEvent,
  MSKRecord,
  S3EventRecord,
  SelfManagedKafkaRecord,
  SQSRecord,
} from 'aws-lambda'
import { canonicalJson } from '../fingerprint.js'

// Raw keys only: the engine scopes each one with its namespace and stores nothing but its SHA-256.
// Composite keys are canonical JSON arrays, so no topic or object key can forge a separator and collide.

/**
 * The SQS key Lambda redeliveries share. A FIFO message's `MessageDeduplicationId` (explicit or content-based)
 * also covers a producer's resend, so it wins; a standard queue only has `messageId`, which a producer's
 * resend does not share: use `sqsAttributeKey` or `sqsBodyKey` for a producer-supplied key.
 */
export function sqsMessageKey(record: SQSRecord): string {
  return record.attributes.MessageDeduplicationId ?? record.messageId
}

/** A producer-supplied key carried in a String message attribute. */
export function sqsAttributeKey(name: string): (record: SQSRecord) => string | undefined {
  return (record) => record.messageAttributes[name]?.stringValue || undefined
}

/**
 * A producer-supplied key in the JSON body, at a dotted path (`'payment.id'`). A body that is not JSON or lacks
 * the field has no key, which the batch reports as a failed record rather than running it unprotected.
 */
export function sqsBodyKey(path: string): (record: SQSRecord) => string | undefined {
  const steps = path.split('.')
  return (record) => {
    let value: unknown
    try {
      value = JSON.parse(record.body)
    } catch {
      return undefined
    }
    for (const step of steps) value = (value as Record<string, unknown> | null | undefined)?.[step]
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
 * S3 notifications: bucket + object key + version id (versioned buckets) or sequencer (per-key ordering token,
 * unique per event). The event category joins them because permanently deleting a version reports that
 * version's id, the same one its creation reported.
 */
export function s3RecordKey(record: S3EventRecord): string {
  const { bucket, object } = record.s3
  const category = record.eventName.split(':')[0]
  return canonicalJson([bucket.name, object.key, category, object.versionId ?? object.sequencer])
}

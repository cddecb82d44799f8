import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import type { IdempotencyLogger } from '../../lib/index.js'
import { type EventQueue, MAX_QUEUE_BATCH, type QueueMessage } from '../shared/event-queue.js'
import { type OutboxEvent, outboxEventOf } from '../shared/outbox.js'

/**
 * The outbox table's stream to the fulfilment queue. Only INSERTs are events (TTL's REMOVEs are not). The
 * publisher is at least once on purpose: a record whose event could not be sent is reported by its
 * SequenceNumber, and Lambda retries the shard from the lowest one reported, sending the records after it
 * again too. Every event carries a stable id, so those repeats are the consumer's to skip.
 */
export function publishOutboxHandler(queue: EventQueue, logger: IdempotencyLogger) {
  return async function publishOutbox(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    const failed = new Set<DynamoDBRecord>()
    const pending: { record: DynamoDBRecord; message: QueueMessage }[] = []
    event.Records.forEach((record, position) => {
      if (record.eventName !== 'INSERT') return
      const outboxEvent = eventInImage(record.dynamodb?.NewImage)
      if (outboxEvent === undefined) {
        // Never sendable: after the retries it ends at the on-failure destination, for a person to look at.
        logger.warn('Outbox item without an event; reported failed', { position })
        failed.add(record)
        return
      }
      const { eventId, type, body } = outboxEvent
      pending.push({
        record,
        message: { id: `m${position}`, body, attributes: { eventId, eventType: type } },
      })
    })

    const chunks = Array.from({ length: Math.ceil(pending.length / MAX_QUEUE_BATCH) }, (_, n) =>
      pending.slice(n * MAX_QUEUE_BATCH, (n + 1) * MAX_QUEUE_BATCH),
    )
    await Promise.all(
      chunks.map(async (chunk) => {
        const notSent = await queue.send(chunk.map(({ message }) => message)).catch((error: unknown) => {
          logger.warn('Sending events to the queue failed; reported failed', {
            messages: chunk.length,
            error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          })
          return new Set(chunk.map(({ message }) => message.id))
        })
        for (const { record, message } of chunk) if (notSent.has(message.id)) failed.add(record)
      }),
    )
    // A record without a SequenceNumber reports '', which fails the whole batch: the safe reading.
    return {
      batchItemFailures: event.Records.filter((record) => failed.has(record)).map((record) => ({
        itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
      })),
    }
  }
}

/**
 * The event in a stream record's NewImage. A stream carries the item marshalled, as attribute values;
 * `unmarshall` (what lib-dynamodb uses) reads it back into plain values, and refuses an image it cannot read.
 */
function eventInImage(image: Record<string, unknown> | undefined): OutboxEvent | undefined {
  if (image === undefined) return undefined
  try {
    // The outbox holds strings and numbers, whose stream form is the SDK's; no binary needs decoding here.
    return outboxEventOf(unmarshall(image as Record<string, AttributeValue>))
  } catch {
    return undefined
  }
}

import { createHash, randomUUID } from 'node:crypto'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import {
  type EventQueue,
  FULFILMENT_MAX_RECEIVE_COUNT,
  MAX_QUEUE_BATCH,
  type QueueMessage,
} from '../../functions/shared/event-queue.js'
import { lambdaContext } from './lambda-context.js'

export type SqsConsumer = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>

/**
 * 1 s: locally a failed message comes back after a second instead of the deployed queue's visibility timeout,
 * long enough for an invocation holding its key to finish, short enough to watch the retry happen.
 */
const LOCAL_VISIBILITY_TIMEOUT_MS = 1_000

interface Queued extends QueueMessage {
  readonly messageId: string
  readonly sentEpochMs: number
  receiveCount: number
  firstReceiveEpochMs?: number
  visibleAtEpochMs: number
}

/**
 * An in-process stand-in for the fulfilment queue (SQS standard): the publisher sends to it, and `deliver` hands
 * visible messages to the consumer in batches of 10 as SQS events, as Lambda's poller does. Messages the
 * consumer reports failed come back after a visibility timeout; after `FULFILMENT_MAX_RECEIVE_COUNT` receives they
 * move to `deadLetters`.
 */
export class LocalQueue implements EventQueue {
  private readonly messages: Queued[] = []
  readonly deadLetters: QueueMessage[] = []
  /** Messages handed to the consumer per event id, redeliveries included. */
  readonly deliveries = new Map<string, number>()

  constructor(private readonly now: () => number = Date.now) {}

  async send(messages: readonly QueueMessage[]): Promise<ReadonlySet<string>> {
    const sentEpochMs = this.now()
    for (const message of messages)
      this.messages.push({
        ...message,
        messageId: randomUUID(),
        sentEpochMs,
        receiveCount: 0,
        visibleAtEpochMs: sentEpochMs,
      })
    return new Set()
  }

  /** Delivers every message visible now; resolves once the consumer has answered for all of them. */
  async deliver(consumer: SqsConsumer, log: (line: string) => void): Promise<void> {
    for (let batch = this.takeVisible(); batch.length > 0; batch = this.takeVisible()) {
      for (const message of batch) {
        message.receiveCount++
        message.firstReceiveEpochMs ??= this.now()
        const eventId = message.attributes.eventId ?? ''
        this.deliveries.set(eventId, (this.deliveries.get(eventId) ?? 0) + 1)
      }
      const records = batch.map(sqsRecord)
      let failed: ReadonlySet<string>
      try {
        const response = await consumer({ Records: records }, lambdaContext('fulfil-order'))
        failed = new Set(response?.batchItemFailures.map((failure) => failure.itemIdentifier))
      } catch (error) {
        log(`fulfil-order failed: ${(error as Error).stack ?? String(error)}`)
        failed = new Set(batch.map((message) => message.messageId))
      }
      for (const message of batch.filter(({ messageId }) => failed.has(messageId))) {
        if (message.receiveCount >= FULFILMENT_MAX_RECEIVE_COUNT) this.deadLetters.push(message)
        else this.messages.push({ ...message, visibleAtEpochMs: this.now() + LOCAL_VISIBILITY_TIMEOUT_MS })
      }
    }
  }

  private takeVisible(): Queued[] {
    const nowEpochMs = this.now()
    const batch: Queued[] = []
    for (let i = 0; i < this.messages.length && batch.length < MAX_QUEUE_BATCH; ) {
      if ((this.messages[i] as Queued).visibleAtEpochMs <= nowEpochMs)
        batch.push(...this.messages.splice(i, 1))
      else i++
    }
    return batch
  }
}

/** The record Lambda's SQS poller would deliver for this message (a standard queue). */
function sqsRecord(message: Queued): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: `local-${message.messageId}-${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentEpochMs),
      SenderId: 'local-publish-outbox',
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveEpochMs ?? message.sentEpochMs),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [
        name,
        { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:fulfilment',
    awsRegion: 'local',
  }
}

import { randomUUID } from 'node:crypto'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { marshall } from '@aws-sdk/util-dynamodb'
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { MAX_QUEUE_BATCH } from '../../functions/shared/event-queue.js'
import { outboxEventOf } from '../../functions/shared/outbox.js'
import { type Item, scanAll, text } from '../../functions/shared/reads.js'
import { OUTBOX_PARTITION_KEY } from '../../functions/shared/tables.js'

export type StreamPublisher = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>

/** 24 h: how long DynamoDB Streams keeps a record; older outbox items are past what a stream would deliver. */
const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000
/** Stream SequenceNumbers are decimal strings of about 21 digits that grow within a shard. */
const FIRST_SEQUENCE_NUMBER = 10n ** 20n

/**
 * Reads the outbox in place of its DynamoDB stream, which the local API has no Lambda service to drive: each
 * `poll` scans the outbox and hands items it has not published to the publisher as INSERT stream records, ten
 * at a time as the deployed mapping does. Like Lambda it retries a batch from the lowest failed record (the
 * records after it are published again), and like a new mapping at TRIM_HORIZON it starts from the stream's last
 * 24 h after a restart: repeats the consumer skips. `duplicateNext(n)` delivers the next n records twice.
 */
export class OutboxPoller {
  private readonly published = new Set<string>()
  /** One stream record per event, so a redelivery carries the same eventID and SequenceNumber, as on a shard. */
  private readonly records = new Map<string, DynamoDBRecord>()
  private readonly eventIds = new WeakMap<DynamoDBRecord, string>()
  private readonly duplicated = new Set<string>()
  private duplicatesPending = 0
  private sequence = FIRST_SEQUENCE_NUMBER

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly outboxTableName: string,
    private readonly publisher: StreamPublisher,
    private readonly now: () => number = Date.now,
  ) {}

  duplicateNext(count: number): void {
    this.duplicatesPending = count
  }

  async poll(log: (line: string) => void): Promise<void> {
    const oldestEpochMs = this.now() - STREAM_RETENTION_MS
    // Published and expired items are dropped before any conversion: the outbox keeps a week, polled 5 times a second.
    const unpublished = (await scanAll(this.client, this.outboxTableName))
      .filter(
        (item) =>
          !this.published.has(text(item[OUTBOX_PARTITION_KEY])) &&
          Date.parse(text(item.occurredAt)) >= oldestEpochMs &&
          outboxEventOf(item) !== undefined,
      )
      .sort((a, b) => text(a.occurredAt).localeCompare(text(b.occurredAt)))
    for (let start = 0; start < unpublished.length; start += MAX_QUEUE_BATCH) {
      const records = unpublished.slice(start, start + MAX_QUEUE_BATCH).map((item) => this.recordFor(item))
      const failed = await this.publisher({ Records: records }).then(
        (response) => new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier)),
        (error: Error) => {
          log(`publish-outbox failed: ${error.stack ?? String(error)}`)
          return new Set(records.map((record) => record.dynamodb?.SequenceNumber))
        },
      )
      const firstFailed = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''))
      for (const record of firstFailed === -1 ? records : records.slice(0, firstFailed)) this.settle(record)
    }
  }

  private settle(record: DynamoDBRecord): void {
    const eventId = this.eventIds.get(record) ?? ''
    if (this.duplicatesPending > 0 && !this.duplicated.has(eventId)) {
      this.duplicatesPending--
      this.duplicated.add(eventId)
      return
    }
    this.published.add(eventId)
    this.records.delete(eventId)
  }

  private recordFor(item: Item): DynamoDBRecord {
    const eventId = text(item[OUTBOX_PARTITION_KEY])
    const existing = this.records.get(eventId)
    if (existing !== undefined) return existing
    this.sequence++
    const image = streamImage(item)
    const record: DynamoDBRecord = {
      eventID: randomUUID().replaceAll('-', ''),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'local',
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.parse(text(item.occurredAt)) / 1000),
        Keys: streamImage({ [OUTBOX_PARTITION_KEY]: eventId }),
        NewImage: image,
        SequenceNumber: String(this.sequence),
        SizeBytes: Buffer.byteLength(JSON.stringify(image)),
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: `arn:aws:dynamodb:local:000000000000:table/${this.outboxTableName}/stream/local`,
    }
    this.records.set(eventId, record)
    this.eventIds.set(record, eventId)
    return record
  }
}

/**
 * The item as a stream record carries it: marshalled into attribute values (the stream's wire form, which the
 * publisher unmarshalls), with binary attributes as base64 text where the SDK has bytes.
 */
function streamImage(item: Item): Record<string, AttributeValue> {
  return JSON.parse(
    JSON.stringify(marshall(item), (_name, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value,
    ),
  ) as Record<string, AttributeValue>
}

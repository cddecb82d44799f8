import { randomUUID } from 'node:crypto'
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'

// Kinesis Data Streams records as Lambda delivers them (the documented example event, typed by @types/aws-lambda):
// base64 data, `eventID` = `${shardId}:${sequenceNumber}`, the stream's ARN, arrival time in epoch seconds.

const REGION = 'eu-west-1'
const ACCOUNT = '123456789012'
/** A real-looking 56-digit sequence number; each test shard counts up from its own offset of it. */
const SEQUENCE_BASE = 49590338271490256608559692538361571095921575989136588898n
/** 1 January 2026, in seconds, as Kinesis stamps `approximateArrivalTimestamp` (with milliseconds as a fraction). */
const ARRIVAL_EPOCH_SECONDS = 1767225600

export const shardIdOf = (index: number) => `shardId-${String(index).padStart(12, '0')}`

export function kinesisRecord(
  streamArn: string,
  shardId: string,
  sequenceNumber: string,
  data: unknown,
  partitionKey = 'account-1',
  arrivalEpochSeconds = ARRIVAL_EPOCH_SECONDS,
): KinesisStreamRecord {
  const text = typeof data === 'string' ? data : JSON.stringify(data)
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(text).toString('base64'),
      approximateArrivalTimestamp: arrivalEpochSeconds,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/payments-consumer`,
    awsRegion: REGION,
    eventSourceARN: streamArn,
  }
}

/**
 * A stream whose name is unique to the test (tests share one idempotency table), and its shards. `put` is a
 * producer's PutRecord: the shard assigns the next sequence number and stamps the arrival time.
 */
export function kinesisStream(name = `payments-${randomUUID()}`) {
  const arn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`
  function shard(index: number) {
    const shardId = shardIdOf(index)
    let puts = 0
    return {
      shardId,
      put(data: unknown, partitionKey = `account-${index}`): KinesisStreamRecord {
        puts += 1
        const sequenceNumber = String(SEQUENCE_BASE + BigInt(index) * 1_000_000n + BigInt(puts))
        return kinesisRecord(
          arn,
          shardId,
          sequenceNumber,
          data,
          partitionKey,
          ARRIVAL_EPOCH_SECONDS + puts / 1000,
        )
      },
    }
  }
  return { arn, shard }
}

export const kinesisEvent = (...records: KinesisStreamRecord[]): KinesisStreamEvent => ({ Records: records })

export function decodeData<T = Record<string, unknown>>(record: KinesisStreamRecord): T {
  return JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as T
}

/** The response naming these records for Lambda to resume from, in the order given. */
export const kinesisFailures = (...records: KinesisStreamRecord[]) => ({
  batchItemFailures: records.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })),
})

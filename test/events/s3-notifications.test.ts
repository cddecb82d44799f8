import { randomUUID } from 'node:crypto'
import type { S3Event, S3EventRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { makeIdempotentBatchHandler, type RecordOutcomeKind, s3Batch } from '../../lib/events/index.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'
import { lambdaContext } from '../support/records.js'
import { redeliveredS3, s3Event, s3Record } from '../support/s3-events.js'

const dynamodb = idempotencyStoreOnDynamoDBLocal()

/** The default `s3Batch` handler, recording which notifications ran and each record's outcome. */
function s3Consumer() {
  const ran: string[] = []
  const outcomes: RecordOutcomeKind[] = []
  const handler = makeIdempotentBatchHandler(
    s3Batch,
    async (record: S3EventRecord) => {
      ran.push(`${record.eventName} ${record.s3.object.key}`)
    },
    { store: dynamodb.store, logger: silent, onRecord: (outcome) => outcomes.push(outcome.kind) },
  )
  const deliver = async (event: S3Event) => {
    outcomes.length = 0
    await handler(event, lambdaContext())
    return [...outcomes]
  }
  return { ran, deliver }
}

/** A bucket of its own per test: tests sharing the table never see each other's keys. */
const unversionedBucket = () => `imports-${randomUUID()}`

describe('S3 notifications on one object run once each, on DynamoDB Local', () => {
  it('runs two ObjectTagging:Put events in an unversioned bucket, and skips the redelivery of each', async () => {
    const bucket = unversionedBucket()
    const tag = (eventTime: string, requestId: string) =>
      s3Event(
        s3Record(bucket, 'orders.csv', {
          eventName: 'ObjectTagging:Put',
          versionId: null,
          eventTime,
          requestId,
        }),
      )
    const first = tag('2026-01-01T10:00:00.000Z', '8A2C6E0F1B3D5A79')
    const second = tag('2026-01-01T10:05:00.000Z', '9B3D7F102C4E6B8A')
    const { ran, deliver } = s3Consumer()

    expect(await deliver(first)).toEqual(['processed'])
    expect(await deliver(second)).toEqual(['processed'])
    expect(await deliver(redeliveredS3(first))).toEqual(['duplicate'])
    expect(await deliver(redeliveredS3(second))).toEqual(['duplicate'])
    expect(ran).toEqual(['ObjectTagging:Put orders.csv', 'ObjectTagging:Put orders.csv'])
  })

  it('runs ObjectRestore:Post and then ObjectRestore:Completed without a mismatch, and skips their redelivery', async () => {
    const bucket = unversionedBucket()
    const post = s3Event(
      s3Record(bucket, 'archive.csv', {
        eventName: 'ObjectRestore:Post',
        eventTime: '2026-01-01T10:00:00.000Z',
        requestId: '7C1E5A3B9D2F4E60',
      }),
    )
    const completed = s3Event(
      s3Record(bucket, 'archive.csv', {
        eventName: 'ObjectRestore:Completed',
        eventTime: '2026-01-01T14:12:31.207Z',
        requestId: '0D4F8B2A6C1E3F57',
      }),
    )
    const { ran, deliver } = s3Consumer()

    expect(await deliver(post)).toEqual(['processed'])
    expect(await deliver(completed)).toEqual(['processed'])
    expect(await deliver(redeliveredS3(completed))).toEqual(['duplicate'])
    expect(await deliver(redeliveredS3(post))).toEqual(['duplicate'])
    expect(ran).toEqual(['ObjectRestore:Post archive.csv', 'ObjectRestore:Completed archive.csv'])
  })

  it('runs every object of one DeleteObjects call, and none of them again on redelivery', async () => {
    const bucket = unversionedBucket()
    const deleted = (key: string, sequencer: string) =>
      s3Record(bucket, key, {
        eventName: 'ObjectRemoved:Delete',
        eventTime: '2026-01-01T10:00:00.000Z',
        requestId: '5E9A1C7B3F0D2E84',
        versionId: null,
        sequencer,
      })
    const event = s3Event(deleted('a.csv', '0065A1B2C3D4E5F601'), deleted('b.csv', '0065A1B2C3D4E5F602'))
    const { ran, deliver } = s3Consumer()

    expect(await deliver(event)).toEqual(['processed', 'processed'])
    expect(await deliver(redeliveredS3(event))).toEqual(['duplicate', 'duplicate'])
    expect(ran.toSorted()).toEqual(['ObjectRemoved:Delete a.csv', 'ObjectRemoved:Delete b.csv'])
  })
})

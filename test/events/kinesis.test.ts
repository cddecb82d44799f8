import { randomUUID } from 'node:crypto'
import type { KinesisStreamRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  type IdempotentBatchOptions,
  kinesisBatch,
  kinesisDataKey,
  makeIdempotentBatchHandler,
  type RecordOutcomeKind,
} from '../../lib/events/index.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'
import {
  decodeData,
  kinesisEvent,
  kinesisFailures,
  kinesisRecord,
  kinesisStream,
  shardIdOf,
} from '../support/kinesis-events.js'
import { lambdaContext } from '../support/records.js'

const dynamodb = idempotencyStoreOnDynamoDBLocal()
const { commands } = dynamodb

const labelOf = (record: KinesisStreamRecord) => decodeData<{ label: string }>(record).label

/** The default `kinesisBatch` handler; records carry a label, and `failing` names those whose handler throws. */
function kinesisConsumer(options: Partial<IdempotentBatchOptions<KinesisStreamRecord, unknown>> = {}) {
  const ran: string[] = []
  const outcomes: Record<string, RecordOutcomeKind> = {}
  const failing = new Set<string>()
  const batch = makeIdempotentBatchHandler(
    kinesisBatch,
    async (record: KinesisStreamRecord) => {
      ran.push(labelOf(record))
      if (failing.has(labelOf(record))) throw new Error(`cannot process ${labelOf(record)}`)
    },
    {
      store: dynamodb.store,
      logger: silent,
      onRecord: ({ record, kind }) => {
        outcomes[labelOf(record)] = kind
      },
      ...options,
    },
  )
  const deliver = async (...records: KinesisStreamRecord[]) => {
    ran.length = 0
    for (const label of Object.keys(outcomes)) delete outcomes[label]
    commands.reset()
    return batch(kinesisEvent(...records), lambdaContext())
  }
  /** What ran on one shard, in order (shards run side by side, so only each shard's own order is fixed). */
  const ranOn = (prefix: string) => ran.filter((label) => label.startsWith(prefix))
  return { ran, ranOn, outcomes, failing, deliver }
}

/** Puts one record per label on a shard, in order. */
const putAll = <const L extends readonly string[]>(
  shard: { put(data: unknown): KinesisStreamRecord },
  ...labels: L
) => labels.map((label) => shard.put({ label })) as { [K in keyof L]: KinesisStreamRecord }

describe('an idempotent Kinesis batch on DynamoDB Local', () => {
  it('reports the poison record and the records of its shard held behind it (Lambda resumes from the lowest), while the other shard runs', async () => {
    const stream = kinesisStream()
    const [a1, a2, a3, a4] = putAll(stream.shard(0), 'a1', 'a2', 'a3', 'a4')
    const [b1, b2, b3] = putAll(stream.shard(1), 'b1', 'b2', 'b3')
    const consumer = kinesisConsumer()
    consumer.failing.add('a2')

    const response = await consumer.deliver(a1, b1, a2, b2, a3, b3, a4)

    // Every record not done, in batch order: the poison's sequence number is the lowest, so Lambda resumes there.
    expect(response).toEqual(kinesisFailures(a2, a3, a4))
    expect(consumer.ranOn('a')).toEqual(['a1', 'a2'])
    expect(consumer.ranOn('b')).toEqual(['b1', 'b2', 'b3'])
    expect(consumer.outcomes).toEqual({
      a1: 'processed',
      a2: 'failed',
      a3: 'skipped',
      a4: 'skipped',
      b1: 'processed',
      b2: 'processed',
      b3: 'processed',
    })
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 5, UpdateItem: 4, DeleteItem: 1 })
  })

  it('runs no record twice when Lambda redelivers the batch: only the poison and the records held behind it run', async () => {
    const stream = kinesisStream()
    const [a1, a2, a3, a4, a5] = putAll(stream.shard(0), 'a1', 'a2', 'a3', 'a4', 'a5')
    const [b1, b2] = putAll(stream.shard(1), 'b1', 'b2')
    const consumer = kinesisConsumer()
    consumer.failing.add('a2')
    await consumer.deliver(a1, b1, a2, b2, a3, a4)
    consumer.failing.clear()

    // The same batch again (a retry of the whole invocation, or a bisected half): one read, three records run.
    expect(await consumer.deliver(a1, b1, a2, b2, a3, a4)).toEqual(kinesisFailures())
    expect(consumer.ran).toEqual(['a2', 'a3', 'a4'])
    expect(consumer.outcomes).toMatchObject({ a1: 'duplicate', b1: 'duplicate', b2: 'duplicate' })
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 3, UpdateItem: 3 })

    // Lambda's own resumption from the reported sequence number, now with a newer record: only that one runs.
    expect(await consumer.deliver(a2, a3, a4, a5)).toEqual(kinesisFailures())
    expect(consumer.ran).toEqual(['a5'])
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 1, UpdateItem: 1 })
  })

  it('keeps a parent shard and its two children apart after a split, though their sequence numbers coincide', async () => {
    const stream = kinesisStream()
    const [p1, p2] = putAll(stream.shard(0), 'p1', 'p2')
    // Sequence numbers are unique only within a shard: each child's first record carries p1's number here.
    const child = (index: number, label: string) =>
      kinesisRecord(stream.arn, shardIdOf(index), p1.kinesis.sequenceNumber, { label })
    const [c1, d1] = [child(1, 'c1'), child(2, 'd1')]
    const [c2, c3] = putAll(stream.shard(1), 'c2', 'c3')
    const [d2] = putAll(stream.shard(2), 'd2')
    const consumer = kinesisConsumer()
    consumer.failing.add('c2')

    expect(await consumer.deliver(p1, p2, c1, c2, c3, d1, d2)).toEqual(kinesisFailures(c2, c3))
    expect(consumer.outcomes).toMatchObject({
      p1: 'processed',
      c1: 'processed',
      d1: 'processed',
      c3: 'skipped',
    })
    expect(consumer.ranOn('d')).toEqual(['d1', 'd2'])

    consumer.failing.clear()
    expect(await consumer.deliver(p1, p2, c1, c2, c3, d1, d2)).toEqual(kinesisFailures())
    expect(consumer.ran).toEqual(['c2', 'c3'])
  })

  it('reports a record without its producer key unrun, with the rest of its shard, while the other shard runs', async () => {
    const stream = kinesisStream()
    const [a, b] = [stream.shard(0), stream.shard(1)]
    const a1 = a.put({ label: 'a1', paymentId: randomUUID() })
    const a2 = a.put({ label: 'a2' })
    const a3 = a.put({ label: 'a3', paymentId: randomUUID() })
    const b1 = b.put({ label: 'b1', paymentId: randomUUID() })
    const consumer = kinesisConsumer({ key: kinesisDataKey('paymentId') })

    expect(await consumer.deliver(a1, a2, b1, a3)).toEqual(kinesisFailures(a2, a3))
    expect(consumer.ran.toSorted()).toEqual(['a1', 'b1'])
    expect(consumer.outcomes).toMatchObject({ a2: 'no-key', a3: 'skipped' })
  })

  it('reports a record whose eventID names no shard without running it, rather than guess its key', async () => {
    const [a1, a2] = putAll(kinesisStream().shard(0), 'a1', 'a2')
    const consumer = kinesisConsumer()
    const broken = { ...a2, eventID: a2.kinesis.sequenceNumber }

    expect(await consumer.deliver(a1, broken)).toEqual(kinesisFailures(broken))
    expect(consumer.ran).toEqual(['a1'])
    expect(consumer.outcomes).toEqual({ a1: 'processed', a2: 'no-key' })
  })

  it("skips a producer's resend keyed by its id in the data, and refuses other data under that id", async () => {
    const shard = kinesisStream().shard(0)
    const paymentId = randomUUID()
    const consumer = kinesisConsumer({ key: kinesisDataKey('paymentId') })
    const payment = { label: 'payment', paymentId, amount: 5 }
    await consumer.deliver(shard.put(payment, 'a1b2'))

    // A PutRecord retried after a timeout: a new sequence number, a fresh random partition key, the same data.
    const resent = shard.put(payment, 'f00d')
    const reused = shard.put({ label: 'reused', paymentId, amount: 6 })
    expect(await consumer.deliver(resent, reused)).toEqual(kinesisFailures(reused))
    expect(consumer.ran).toEqual([])
    expect(consumer.outcomes).toEqual({ payment: 'duplicate', reused: 'mismatch' })
  })
})

import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DynamoDBVersionStore,
  DynamoDBWatermarkStore,
  InMemoryVersionStore,
  InMemoryWatermarkStore,
  makeIdempotentBatchHandler,
  makeVersioned,
  sqsBatch,
  type VersionStore,
  type WatermarkStore,
  watermarkJob,
} from '../../lib/events/index.js'
import {
  DynamoDBStore,
  IdempotencyInProgressError,
  type IdempotencyStore,
  InMemoryStore,
} from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { silent, sqsEvent, sqsRecord } from '../support/events.js'
import { fifteenMinuteContext, heldBody } from '../support/long-invocation.js'
import { NOW_MS } from '../support/records.js'

/**
 * The event helpers' claims, held by a 15-minute invocation: a duplicate 61 s in must find them held, whatever
 * the retention of completed records (`ttlSeconds: 60` where the helper has one).
 */
const client = testDynamoDBClient()
const tables = {} as { records: DynamoDBStore; versions: DynamoDBVersionStore; marks: DynamoDBWatermarkStore }
beforeAll(async () => {
  const tableName = await createIdempotencyTestTable(client)
  tables.records = new DynamoDBStore({ tableName, client })
  tables.versions = new DynamoDBVersionStore({ tableName, client })
  tables.marks = new DynamoDBWatermarkStore({ tableName, client })
})

describe.each<[string, () => VersionStore]>([
  ['DynamoDB Local', () => tables.versions],
  ['the in-memory store', () => new InMemoryVersionStore()],
])('a version-aware claim on %s', (_name, storeOf) => {
  it('answers another version 61 s into a 15-minute invocation with in-progress', async () => {
    const clock = { nowMs: NOW_MS }
    const body = heldBody()
    const applied: number[] = []
    const handler = makeVersioned(
      async (change: { id: string; version: number }) => {
        if (change.version === 1) await body.hold()
        applied.push(change.version)
      },
      { store: storeOf(), entity: (change) => change, now: () => clock.nowMs },
    )
    const id = randomUUID()
    const first = handler({ id, version: 1 }, fifteenMinuteContext(clock))
    await body.started
    clock.nowMs += 61_000
    await expect(handler({ id, version: 2 }, fifteenMinuteContext(clock))).rejects.toBeInstanceOf(
      IdempotencyInProgressError,
    )
    body.finish()
    await expect(first).resolves.toMatchObject({ kind: 'processed' })
    expect(applied).toEqual([1])
  })
})

describe.each<[string, () => WatermarkStore]>([
  ['DynamoDB Local', () => tables.marks],
  ['the in-memory store', () => new InMemoryWatermarkStore()],
])('a watermark lease on %s', (_name, storeOf) => {
  it('answers a second run 61 s into a 15-minute run busy', async () => {
    const clock = { nowMs: NOW_MS }
    const body = heldBody()
    const job = watermarkJob({ store: storeOf(), name: randomUUID(), initial: 0, now: () => clock.nowMs })
    const first = job.run(async () => {
      await body.hold()
      return 1
    }, fifteenMinuteContext(clock))
    await body.started
    clock.nowMs += 61_000
    const second = await job.run(async () => 2, fifteenMinuteContext(clock))
    expect(second.kind).toBe('busy')
    body.finish()
    expect(await first).toEqual({ kind: 'advanced', from: 0, to: 1 })
  })
})

describe.each<[string, () => IdempotencyStore]>([
  ['DynamoDB Local', () => tables.records],
  ['the in-memory store', () => new InMemoryStore()],
])('an idempotent batch record on %s', (_name, storeOf) => {
  it('reports a redelivery 61 s into a 15-minute invocation in flight, not run again', async () => {
    const clock = { nowMs: NOW_MS }
    const body = heldBody()
    let runs = 0
    const batch = makeIdempotentBatchHandler(
      sqsBatch,
      async () => {
        runs += 1
        if (runs === 1) await body.hold()
      },
      { store: storeOf(), ttlSeconds: 60, now: () => clock.nowMs, logger: silent },
    )
    const record = sqsRecord(randomUUID(), { orderId: 'o-1' })
    const first = batch(sqsEvent(record), fifteenMinuteContext(clock))
    await body.started
    clock.nowMs += 61_000
    expect(await batch(sqsEvent(record), fifteenMinuteContext(clock))).toEqual({
      batchItemFailures: [{ itemIdentifier: record.messageId }],
    })
    body.finish()
    expect(await first).toEqual({ batchItemFailures: [] })
    expect(runs).toBe(1)
  })
})

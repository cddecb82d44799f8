import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeIdempotentFunction } from '../../lib/events/index.js'
import {
  DynamoDBStore,
  IdempotencyInProgressError,
  IdempotencyLeaseLostError,
  type IdempotencyStore,
  InMemoryStore,
  makeIdempotent,
} from '../../lib/index.js'
import { LEASE_MARGIN_MS } from '../../lib/options.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { FIFTEEN_MINUTES_MS, fifteenMinuteContext, heldBody } from '../support/long-invocation.js'
import { NOW_MS } from '../support/records.js'

/**
 * Retention (`ttlSeconds`) shorter than the lease: a 15-minute invocation holds its key for 15 min + the margin,
 * and a record past its retention counts as absent. DynamoDB Local never deletes expired items, so on it only
 * the acquire condition decides, as it does in the minutes before DynamoDB's TTL gets round to an item.
 */
const client = testDynamoDBClient()
let dynamodb: DynamoDBStore
beforeAll(async () => {
  dynamodb = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client), client })
})

const RETENTION_SECONDS = 60
const LEASE_MS = FIFTEEN_MINUTES_MS + LEASE_MARGIN_MS

describe.each<[string, () => IdempotencyStore]>([
  ['DynamoDB Local', () => dynamodb],
  ['the in-memory store', () => new InMemoryStore()],
])('a claim with a retention shorter than its lease, on %s', (_name, storeOf) => {
  function longHandler(clock: { nowMs: number }) {
    const body = heldBody()
    let runs = 0
    const handler = makeIdempotent(
      async (event: { id: string }) => {
        runs += 1
        if (runs === 1) await body.hold()
        return `run ${runs} of ${event.id}`
      },
      { store: storeOf(), key: (event) => event.id, ttlSeconds: RETENTION_SECONDS, now: () => clock.nowMs },
    )
    return { body, handler, runs: () => runs }
  }

  it('answers a duplicate 61 s into a 15-minute invocation with in-progress, and runs the handler once', async () => {
    const clock = { nowMs: NOW_MS }
    const { body, handler, runs } = longHandler(clock)
    const id = randomUUID()
    const first = handler({ id }, fifteenMinuteContext(clock))
    await body.started
    clock.nowMs += 61_000
    await expect(handler({ id }, fifteenMinuteContext(clock))).rejects.toBeInstanceOf(
      IdempotencyInProgressError,
    )
    body.finish()
    await expect(first).resolves.toBe(`run 1 of ${id}`)
    expect(runs()).toBe(1)
  })

  it.each([0, 1, 999])(
    'holds the key until the last millisecond of its lease, for a claim %i ms into a second',
    async (offsetMs) => {
      const clock = { nowMs: NOW_MS + offsetMs }
      const { body, handler, runs } = longHandler(clock)
      const id = randomUUID()
      const first = handler({ id }, fifteenMinuteContext(clock))
      await body.started
      const leaseEndMs = clock.nowMs + LEASE_MS
      clock.nowMs = leaseEndMs - 1
      await expect(handler({ id }, fifteenMinuteContext(clock))).rejects.toBeInstanceOf(
        IdempotencyInProgressError,
      )
      // Once the lease has ended its holder is gone (Lambda stopped it): the next attempt takes the key over.
      clock.nowMs = leaseEndMs
      await expect(handler({ id }, fifteenMinuteContext(clock))).resolves.toBe(`run 2 of ${id}`)
      body.finish()
      await expect(first).rejects.toBeInstanceOf(IdempotencyLeaseLostError)
      expect(runs()).toBe(2)
    },
  )

  it('keeps a step called with a 15-minute context held 61 s in', async () => {
    const clock = { nowMs: NOW_MS }
    const body = heldBody()
    let charges = 0
    const charge = makeIdempotentFunction(
      async (orderId: string) => {
        charges += 1
        if (charges === 1) await body.hold()
        return `charged ${orderId}`
      },
      {
        store: storeOf(),
        operation: `charge-${randomUUID()}`,
        ttlSeconds: RETENTION_SECONDS,
        now: () => clock.nowMs,
      },
    )
    const first = charge.withContext(fifteenMinuteContext(clock))('o-1')
    await body.started
    clock.nowMs += 61_000
    await expect(charge.withContext(fifteenMinuteContext(clock))('o-1')).rejects.toBeInstanceOf(
      IdempotencyInProgressError,
    )
    body.finish()
    await expect(first).resolves.toBe('charged o-1')
    expect(charges).toBe(1)
  })
})

import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { HttpResult } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { countingStore } from '../support/counting-store.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { freshKey, freshUser, gatedHandler, wrapHandler, wrappers } from '../support/http-harness.js'

const client = testDynamoDBClient()
let dynamo: DynamoDBStore

beforeAll(async () => {
  dynamo = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'http-wait'), client })
})

/** The first call of a file also pays for the SDK's and DynamoDB Local's warm-up: give it time. */
const started = (runs: { mock: { calls: unknown[] } }) =>
  vi.waitFor(() => expect(runs.mock.calls).toHaveLength(1), { timeout: 5_000 })

describe.each(wrappers)('Prefer: wait for the in-flight twin, %s', (_path, wrap) => {
  function twins(options: { maxWaitSeconds?: number } = {}, waiterRemainingMs = 10_000) {
    const { store, calls } = countingStore(dynamo)
    const gated = gatedHandler({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json' },
      body: '{"id":1}',
    })
    const first = wrapHandler(wrap, { store, ...options }, gated.respond)
    const waiter = wrapHandler(wrap, { store, ...options }, gated.respond, waiterRemainingMs)
    const [key, sub] = [freshKey(), freshUser()]
    const event = (prefer?: string) =>
      httpApiEvent({
        sub,
        headers: { 'Idempotency-Key': key, ...(prefer ? { Prefer: prefer } : {}) },
        body: {},
      })
    const polled = () => vi.waitFor(() => expect(calls).toContain('get'), { timeout: 5_000 })
    return { gated, first, waiter, event, polled, calls }
  }

  it("returns the twin's answer instead of a 409, marked Idempotent-Replayed and Preference-Applied", async () => {
    const { gated, first, waiter, event, polled } = twins()
    const original = first.invoke(event())
    await started(first.runs)
    const waiting = waiter.invoke(event('respond-async, wait=5'))
    await polled()
    gated.finish()
    const answer = await waiting
    expect(answer.statusCode).toBe(201)
    expect(answer.body).toBe((await original).body)
    expect(headerOf(answer, 'idempotent-replayed')).toBe('true')
    expect(headerOf(answer, 'preference-applied')).toBe('wait=5')
    expect(waiter.runs).not.toHaveBeenCalled()
  })

  it('answers 409 once the capped wait is over, saying how long it waited', async () => {
    const { gated, first, waiter, event } = twins({ maxWaitSeconds: 1 })
    const original = first.invoke(event())
    await started(first.runs)
    const answer = await waiter.invoke(event('wait=30'))
    expect(answer.statusCode).toBe(409)
    expect(headerOf(answer, 'preference-applied')).toBe('wait=1')
    expect(Number(headerOf(answer, 'retry-after'))).toBeGreaterThanOrEqual(1)
    gated.finish()
    await original
  })

  it("does not wait when the Lambda's remaining time has no room for it", async () => {
    // The engine keeps the last second of the Lambda's time for sending the answer.
    const { gated, first, waiter, event, calls } = twins({}, 1_000)
    const original = first.invoke(event())
    await started(first.runs)
    const answer = await waiter.invoke(event('wait=5'))
    expect(answer.statusCode).toBe(409)
    expect(calls).not.toContain('get')
    expect(headerOf(answer, 'preference-applied')).toBeUndefined()
    gated.finish()
    expect((await original).statusCode).toBe(201)
  })

  it('runs the request itself when the twin it waits for fails with a 5xx', async () => {
    const { gated, first, waiter, event, polled } = twins()
    const original = first.invoke(event())
    await started(first.runs)
    const waiting = waiter.invoke(event('wait=5'))
    await polled()
    gated.finish({ statusCode: 502, body: 'gateway failed' } satisfies HttpResult)
    expect((await original).statusCode).toBe(502)
    const answer = await waiting
    expect(answer.statusCode).toBe(502)
    expect(headerOf(answer, 'idempotent-replayed')).toBeUndefined()
    expect(waiter.runs).toHaveBeenCalledTimes(1)
  })
})

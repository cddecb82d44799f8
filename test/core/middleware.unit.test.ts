import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { describe, expect, it, vi } from 'vitest'
import {
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  type IdempotencyOptions,
  type IdempotencyOutcome,
  IdempotencyPayloadMismatchError,
  IdempotencyResultNotStoredError,
  InMemoryStore,
  idempotency,
} from '../../lib/index.js'
import { lambdaContext } from '../support/records.js'

interface OrderEvent {
  orderId?: string
  amount: number
}

function setup(
  overrides: Partial<IdempotencyOptions<OrderEvent, unknown>> = {},
  body?: (e: OrderEvent) => unknown,
) {
  const store = new InMemoryStore()
  const outcomes: IdempotencyOutcome[] = []
  const runs = vi.fn(async (event: OrderEvent) =>
    body ? body(event) : { charged: event.amount, at: new Date(0) },
  )
  const handler = middy<OrderEvent, unknown>(runs).use(
    idempotency<OrderEvent, unknown>({
      store,
      key: (event) => event.orderId,
      onOutcome: (outcome) => outcomes.push(outcome),
      ...overrides,
    }),
  )
  const invoke = (event: OrderEvent) => handler(event, lambdaContext() as unknown as Context)
  return { store, runs, invoke, outcomes }
}

describe('the Middy middleware', () => {
  it('runs the handler once and replays its stored result to every retry', async () => {
    const { runs, invoke, outcomes } = setup()
    const first = await invoke({ orderId: 'o-1', amount: 500 })
    const second = await invoke({ orderId: 'o-1', amount: 500 })
    expect(runs).toHaveBeenCalledTimes(1)
    expect(first).toEqual({ charged: 500, at: new Date(0) })
    expect(second).toEqual({ charged: 500, at: '1970-01-01T00:00:00.000Z' })
    expect(outcomes.map((o) => o.type)).toEqual(['fresh', 'replay'])
  })

  it('rejects the same key with a different payload and leaves the first result in place', async () => {
    const { store, runs, invoke } = setup()
    await invoke({ orderId: 'o-1', amount: 500 })
    await expect(invoke({ orderId: 'o-1', amount: 900 })).rejects.toBeInstanceOf(
      IdempotencyPayloadMismatchError,
    )
    expect(runs).toHaveBeenCalledTimes(1)
    expect([...store.records.values()].map((r) => r.status)).toEqual(['COMPLETED'])
    await expect(invoke({ orderId: 'o-1', amount: 500 })).resolves.toMatchObject({ charged: 500 })
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('answers a duplicate that arrives while the first still runs with a conflict, and does not free its key', async () => {
    let finish: () => void = () => undefined
    const { store, runs, invoke } = setup(
      {},
      () => new Promise((resolve) => (finish = () => resolve('done'))),
    )
    const first = invoke({ orderId: 'o-1', amount: 1 })
    await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(1))
    const duplicate = await invoke({ orderId: 'o-1', amount: 1 }).catch((error: unknown) => error)
    expect(duplicate).toBeInstanceOf(IdempotencyInProgressError)
    expect((duplicate as IdempotencyInProgressError).retryAfterSeconds).toBeGreaterThan(0)
    expect([...store.records.values()].map((r) => r.status)).toEqual(['IN_PROGRESS'])
    finish()
    await expect(first).resolves.toBe('done')
    await expect(invoke({ orderId: 'o-1', amount: 1 })).resolves.toBe('done')
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('releases the key when the handler throws, so a retry runs again', async () => {
    let attempts = 0
    const { store, runs, invoke, outcomes } = setup({}, () => {
      attempts += 1
      if (attempts === 1) throw new Error('gateway down')
      return 'charged'
    })
    await expect(invoke({ orderId: 'o-1', amount: 1 })).rejects.toThrow('gateway down')
    expect(store.records.size).toBe(0)
    await expect(invoke({ orderId: 'o-1', amount: 1 })).resolves.toBe('charged')
    expect(runs).toHaveBeenCalledTimes(2)
    expect(outcomes.map((o) => o.type)).toEqual(['fresh', 'released', 'fresh'])
  })

  it('releases instead of storing a result that shouldStore declares not final', async () => {
    const { store, runs, invoke } = setup(
      { shouldStore: (result) => (result as { statusCode: number }).statusCode < 500 },
      () => ({
        statusCode: 502,
      }),
    )
    await invoke({ orderId: 'o-1', amount: 1 })
    await invoke({ orderId: 'o-1', amount: 1 })
    expect(runs).toHaveBeenCalledTimes(2)
    expect(store.records.size).toBe(0)
  })

  it('rejects an event without a key by default, before touching the store', async () => {
    const { store, runs, invoke } = setup()
    await expect(invoke({ amount: 1 })).rejects.toBeInstanceOf(IdempotencyKeyMissingError)
    expect(runs).not.toHaveBeenCalled()
    expect(store.records.size).toBe(0)
  })

  it('runs an event without a key unprotected when configured to pass through, and warns', async () => {
    const warn = vi.fn()
    const { runs, invoke } = setup({ missingKey: 'passthrough', logger: { warn } })
    await invoke({ amount: 1 })
    await invoke({ amount: 1 })
    expect(runs).toHaveBeenCalledTimes(2)
    expect(warn).toHaveBeenCalledTimes(2)
  })

  it('replays an undefined result without running the handler again', async () => {
    const { runs, invoke } = setup({}, () => undefined)
    expect(await invoke({ orderId: 'o-1', amount: 1 })).toBeUndefined()
    expect(await invoke({ orderId: 'o-1', amount: 1 })).toBeNull()
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('replays results as the JSON the caller received: nested undefined dropped, Dates as strings', async () => {
    const result = {
      a: undefined,
      list: [undefined, 1],
      when: new Date(Date.UTC(2026, 0, 1)),
      nested: { b: undefined },
    }
    const { invoke } = setup({}, () => result)
    await invoke({ orderId: 'o-1', amount: 1 })
    expect(await invoke({ orderId: 'o-1', amount: 1 })).toEqual(JSON.parse(JSON.stringify(result)))
  })

  it('compresses a large result and replays it intact', async () => {
    const big = { rows: Array.from({ length: 5_000 }, (_, i) => ({ id: i, name: `row ${i}` })) }
    const { store, invoke } = setup({}, () => big)
    await invoke({ orderId: 'o-1', amount: 1 })
    const [record] = [...store.records.values()]
    expect(record?.status === 'COMPLETED' && record.result.encoding).toBe('json+br')
    expect(await invoke({ orderId: 'o-1', amount: 1 })).toEqual(big)
  })

  it('records a result too large to store as executed, so replays get an error instead of a second run', async () => {
    const { runs, invoke, outcomes } = setup({ maxStoredBytes: 1_000, compressAboveBytes: 100 }, () => ({
      noise: Array.from({ length: 2_000 }, () => Math.random()),
    }))
    await invoke({ orderId: 'o-1', amount: 1 })
    await expect(invoke({ orderId: 'o-1', amount: 1 })).rejects.toBeInstanceOf(
      IdempotencyResultNotStoredError,
    )
    expect(runs).toHaveBeenCalledTimes(1)
    expect(outcomes.map((o) => o.type)).toEqual(['fresh', 'result-not-stored', 'result-not-stored'])
  })

  it('records a result that cannot be serialised as executed rather than failing after the side effect', async () => {
    const { runs, invoke } = setup({}, () => ({ amount: 10n }))
    await expect(invoke({ orderId: 'o-1', amount: 1 })).resolves.toEqual({ amount: 10n })
    await expect(invoke({ orderId: 'o-1', amount: 1 })).rejects.toBeInstanceOf(
      IdempotencyResultNotStoredError,
    )
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('keeps two operations of one function apart even with the same key', async () => {
    const store = new InMemoryStore()
    const make = (operation: string) =>
      middy(async () => operation).use(idempotency({ store, operation, key: () => 'same-key' }))
    const context = lambdaContext() as unknown as Context
    expect(await make('charge')({}, context)).toBe('charge')
    expect(await make('refund')({}, context)).toBe('refund')
    expect(store.records.size).toBe(2)
  })

  it('never stores the raw key or payload', async () => {
    const { store, invoke } = setup()
    await invoke({ orderId: 'secret-order-id', amount: 1 })
    expect(JSON.stringify([...store.records.entries()])).not.toContain('secret-order-id')
  })
})

import { describe, expect, it, vi } from 'vitest'
import { IdempotencyLeaseLostError, InMemoryStore, idempotencyOf, makeIdempotent } from '../../lib/index.js'
import { countingStore } from '../support/counting-store.js'
import { lambdaContext } from '../support/records.js'

describe('makeIdempotent', () => {
  it('costs one acquire and one complete when fresh, and one acquire on replay', async () => {
    const { store, calls } = countingStore()
    const handler = makeIdempotent(async (event: { id: string }) => ({ ok: event.id }), {
      store,
      key: (e) => e.id,
    })
    await handler({ id: 'a' }, lambdaContext())
    expect(calls).toEqual(['acquire', 'complete'])
    await handler({ id: 'a' }, lambdaContext())
    expect(calls).toEqual(['acquire', 'complete', 'acquire'])
  })

  it('replays from the warm container with no store call at all when the local cache is on', async () => {
    const { store, calls } = countingStore()
    const body = vi.fn(async () => 'once')
    const handler = makeIdempotent(body, { store, key: () => 'k', localCache: { maxEntries: 10 } })
    await handler({}, lambdaContext())
    await handler({}, lambdaContext())
    await handler({}, lambdaContext())
    expect(calls).toEqual(['acquire', 'complete'])
    expect(body).toHaveBeenCalledTimes(1)
  })

  it('answers a payload mismatch from the local cache too', async () => {
    const { store, calls } = countingStore()
    const handler = makeIdempotent(async (e: { id: string; n: number }) => e.n, {
      store,
      key: (e) => e.id,
      localCache: { maxEntries: 10 },
    })
    await handler({ id: 'a', n: 1 }, lambdaContext())
    await expect(handler({ id: 'a', n: 2 }, lambdaContext())).rejects.toThrow(/different request payload/)
    expect(calls).toEqual(['acquire', 'complete'])
  })

  it('drops an expired cached record and runs the request as new', async () => {
    let nowMs = Date.UTC(2026, 0, 1)
    const { store, calls } = countingStore()
    const body = vi.fn(async () => 'ran')
    const handler = makeIdempotent(body, {
      store,
      key: () => 'k',
      ttlSeconds: 60,
      localCache: { maxEntries: 10 },
      now: () => nowMs,
    })
    await handler({}, lambdaContext())
    nowMs += 61_000
    await handler({}, lambdaContext())
    expect(body).toHaveBeenCalledTimes(2)
    expect(calls).toEqual(['acquire', 'complete', 'acquire', 'complete'])
  })

  it('leases for the Lambda remaining time plus a margin, or leaseMs without a context', async () => {
    const store = new InMemoryStore()
    const nowMs = Date.UTC(2026, 0, 1)
    let seen: number | undefined
    const handler = makeIdempotent(
      async (_event: object, context: object) => {
        const record = [...store.records.values()].at(-1)
        seen = record?.status === 'IN_PROGRESS' ? record.leaseUntilEpochMs - nowMs : undefined
        return idempotencyOf(context)?.recordKey
      },
      { store, key: (e) => JSON.stringify(e), now: () => nowMs, leaseMs: 7_000 },
    )
    await handler({ a: 1 }, { getRemainingTimeInMillis: () => 3_000 })
    expect(seen).toBe(5_000)
    await handler({ a: 2 }, {})
    expect(seen).toBe(7_000)
  })

  it('lets a handler add its own writes to the completion, and derive a key stable across takeovers', async () => {
    const store = new InMemoryStore()
    let nowMs = Date.UTC(2026, 0, 1)
    const gatewayKeys: string[] = []
    const handler = makeIdempotent(
      async (_event: object, context: object) => {
        const handle = idempotencyOf(context)
        gatewayKeys.push(handle?.stableKey('gateway') ?? '')
        handle?.addToCompletion({ Put: { TableName: 'payments', Item: { id: { S: 'p-1' } } } })
        if (gatewayKeys.length === 1) throw new Error('crash after the charge')
        return 'ok'
      },
      { store, key: () => 'k', now: () => nowMs },
    )
    await expect(handler({}, {})).rejects.toThrow('crash')
    nowMs += 1
    await handler({}, {})
    expect(gatewayKeys[0]).toBe(gatewayKeys[1])
    expect(store.committedWrites).toEqual([{ Put: { TableName: 'payments', Item: { id: { S: 'p-1' } } } }])
  })

  it('fails a late completion with lease-lost and keeps the successor result', async () => {
    const store = new InMemoryStore()
    let nowMs = Date.UTC(2026, 0, 1)
    let releaseA: () => void = () => undefined
    let startedA: () => void = () => undefined
    const aRunning = new Promise<void>((resolve) => (startedA = resolve))
    const warn = vi.fn()
    const handler = makeIdempotent(
      async (event: { who: string }) => {
        if (event.who === 'A') {
          startedA()
          await new Promise<void>((resolve) => (releaseA = resolve))
        }
        return event.who
      },
      { store, key: () => 'k', payload: () => 'same', now: () => nowMs, leaseMs: 1_000, logger: { warn } },
    )
    const a = handler({ who: 'A' }, {})
    // A's lease runs out while its handler runs (a claim already expired when it lands never runs at all).
    await aRunning
    nowMs += 1_001
    await expect(handler({ who: 'B' }, {})).resolves.toBe('B')
    releaseA()
    await expect(a).rejects.toBeInstanceOf(IdempotencyLeaseLostError)
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Lease lost'), expect.any(Object))
    await expect(handler({ who: 'C' }, {})).resolves.toBe('B')
  })
})

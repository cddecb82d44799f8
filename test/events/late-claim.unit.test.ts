import { describe, expect, it, vi } from 'vitest'
import {
  InMemoryVersionStore,
  InMemoryWatermarkStore,
  makeVersioned,
  watermarkJob,
} from '../../lib/events/index.js'
import { IdempotencyInProgressError } from '../../lib/index.js'

/**
 * A claim whose write lands only after its own lease has ended, as a slow or SDK-retried write can: the clock
 * jumps past the lease while the claim is in flight. Whoever sees that must not run, since another consumer may
 * have taken the entity or the window over meanwhile.
 */
const LEASE_MS = 1_000

function lateClaims<T extends { claim: (...args: never[]) => Promise<unknown> }>(
  store: T,
  clock: { nowMs: number },
) {
  const claim = store.claim.bind(store)
  store.claim = (async (...args: never[]) => {
    const result = await claim(...args)
    clock.nowMs += LEASE_MS + 1
    return result
  }) as T['claim']
  return store
}

describe('a claim that lands after its own lease ended', () => {
  it('never runs a version-aware handler on it', async () => {
    const clock = { nowMs: Date.UTC(2026, 0, 1) }
    const handler = vi.fn(async () => 'applied')
    const versioned = makeVersioned(handler, {
      store: lateClaims(new InMemoryVersionStore(), clock),
      entity: (event: { id: string; version: number }) => event,
      leaseMs: LEASE_MS,
      now: () => clock.nowMs,
    })
    await expect(versioned({ id: 'order-1', version: 2 }, {})).rejects.toBeInstanceOf(
      IdempotencyInProgressError,
    )
    expect(handler).not.toHaveBeenCalled()
  })

  it('never works a watermark window on it', async () => {
    const clock = { nowMs: Date.UTC(2026, 0, 1) }
    const work = vi.fn(async () => 10)
    const job = watermarkJob({
      store: lateClaims(new InMemoryWatermarkStore(), clock),
      name: 'export',
      initial: 0,
      leaseMs: LEASE_MS,
      now: () => clock.nowMs,
    })
    expect(await job.run(work)).toEqual({ kind: 'busy', retryAfterMs: 0 })
    expect(work).not.toHaveBeenCalled()
  })
})

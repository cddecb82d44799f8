import { expect } from 'vitest'
import type { HttpEvent, HttpIdempotencyOptions } from '../../lib/http/index.js'
import { headerOf, type RequestSpec } from './http-events.js'
import { freshKey, wrapHandler, type wrappers } from './http-harness.js'

/** Two callers sending one request: how a source says who Alice and who Mallory is. */
export interface TwoCallers {
  alice: (spec: RequestSpec) => HttpEvent
  mallory: (spec: RequestSpec) => HttpEvent
}

/**
 * Alice makes a request; Mallory sends the same Idempotency-Key with the same body and must get a fresh
 * execution of her own, never Alice's answer; Alice's retry still replays hers, so her principal is stable.
 */
export async function expectKeptApart(
  wrap: (typeof wrappers)[number][1],
  options: HttpIdempotencyOptions,
  { alice, mallory }: TwoCallers,
): Promise<void> {
  const { runs, invoke } = wrapHandler(wrap, options)
  const spec: RequestSpec = {
    headers: { 'Idempotency-Key': freshKey() },
    body: { amount: 500, currency: 'EUR' },
  }
  const alices = await invoke(alice(spec))
  const mallorys = await invoke(mallory(spec))
  const alicesRetry = await invoke(alice(spec))
  expect(alices.statusCode).toBe(201)
  expect(mallorys.statusCode).toBe(201)
  expect(headerOf(mallorys, 'idempotent-replayed')).toBeUndefined()
  expect(mallorys.body).not.toBe(alices.body)
  expect(runs).toHaveBeenCalledTimes(2)
  expect(headerOf(alicesRetry, 'idempotent-replayed')).toBe('true')
  expect(alicesRetry.body).toBe(alices.body)
}

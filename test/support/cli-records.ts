import { randomUUID } from 'node:crypto'
import { createIdempotencyEngine } from '../../lib/engine.js'
import { type IdempotencyOptions, type IdempotencyStore, makeIdempotent } from '../../lib/index.js'
import { recordKeyOf } from '../../lib/store/index.js'
import { lambdaContext } from './records.js'

/**
 * Records for the operator CLI tests, written through the library the way a deployed handler writes them, on any
 * store: DynamoDB Local or the test run's PostgreSQL.
 */
export interface ChargeEvent {
  readonly paymentId: string
  readonly amount: number
}

export const FUNCTION_NAME = 'payments-fn'
export const OPERATION = 'charge'
export const NAMESPACE = `${FUNCTION_NAME}#${OPERATION}`
export const silent = { warn: () => undefined }

export const freshPaymentId = () => `pay-${randomUUID()}`
export const recordKeyFor = (paymentId: string, namespace = NAMESPACE) => recordKeyOf(namespace, paymentId)

type ChargeOptions = Partial<IdempotencyOptions<ChargeEvent, unknown>>

/** A charge handler in the function `payments-fn`, operation `charge`; `runs` counts real executions. */
export function chargeHandler(store: IdempotencyStore, options: ChargeOptions = {}, result?: unknown) {
  const counter = { runs: 0 }
  const handler = makeIdempotent(
    async (event: ChargeEvent) => {
      counter.runs++
      return result ?? { chargeId: `ch-${randomUUID()}`, amount: event.amount }
    },
    { store, key: (event) => event.paymentId, operation: OPERATION, logger: silent, ...options },
  )
  const charge = (event: ChargeEvent) => handler(event, lambdaContext(10_000, FUNCTION_NAME))
  return { charge, counter }
}

/** A charge that holds its key (a live lease) until `finish()`; `settled` is the handler's own outcome. */
export function chargeInFlight(store: IdempotencyStore, paymentId: string) {
  let finish: () => void = () => undefined
  const gate = new Promise<void>((resolve) => {
    finish = resolve
  })
  const handler = makeIdempotent(
    async (event: ChargeEvent) => {
      await gate
      return { chargeId: 'ch-in-flight', amount: event.amount }
    },
    { store, key: (event) => event.paymentId, operation: OPERATION, logger: silent, leaseMs: 60_000 },
  )
  // No Lambda deadline: the lease is `leaseMs`, far longer than any test waits.
  const settled = handler({ paymentId, amount: 100 }, { functionName: FUNCTION_NAME }).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  return { settled, finish: () => finish() }
}

/** Waits until the in-flight charge's record exists, so the CLI never races its claim. */
export async function untilStored(store: IdempotencyStore, recordKey: string): Promise<void> {
  while ((await store.get(recordKey)) === undefined) await new Promise((resolve) => setTimeout(resolve, 20))
}

const HOUR_MS = 3_600_000

/**
 * One record of every state `stats` counts, written through the library: three completed charges, one expired
 * two days ago, a crashed claim whose lease ended two hours ago (`refunds-fn#handler`) and a charge in flight.
 * Resolves to the in-flight charge's finish, which the test calls when it ends.
 */
export async function writeEveryState(store: IdempotencyStore): Promise<() => Promise<unknown>> {
  const { charge } = chargeHandler(store)
  for (let i = 0; i < 3; i++) await charge({ paymentId: freshPaymentId(), amount: i })

  const twoDaysAgoMs = Date.now() - 48 * HOUR_MS
  const old = chargeHandler(store, { now: () => twoDaysAgoMs, ttlSeconds: 3600 })
  await old.charge({ paymentId: freshPaymentId(), amount: 9 })

  // A crash mid-handler two hours ago: claimed, never completed nor released; its one-minute lease has ended.
  const crashed = createIdempotencyEngine<{ id: string }, unknown>({
    store,
    key: (event) => event.id,
    namespace: 'refunds-fn#handler',
    leaseMs: 60_000,
    now: () => Date.now() - 2 * HOUR_MS,
    logger: silent,
  })
  await crashed.begin({ id: 'refund-1' }, undefined)

  const paymentId = freshPaymentId()
  const inFlight = chargeInFlight(store, paymentId)
  await untilStored(store, recordKeyFor(paymentId))
  return async () => {
    inFlight.finish()
    await inFlight.settled
  }
}

/**
 * A durable execution's claims of one key, written through the store: its token is deterministic per execution,
 * so a later claim or completion by the same execution writes the same token again, with a fresh lease,
 * retention and completion time. Each write is at `atEpochMs`, with a minute's lease and `retentionSeconds`.
 */
export function durableExecution(store: IdempotencyStore, paymentId: string, retentionSeconds = 86_400) {
  const base = { key: recordKeyFor(paymentId), token: 'durable-execution-1', fingerprint: 'fp-durable' }
  const expiresAt = (atEpochMs: number) => Math.floor(atEpochMs / 1000) + retentionSeconds
  return {
    async claim(atEpochMs: number) {
      const claim = {
        ...base,
        status: 'IN_PROGRESS' as const,
        leaseUntilEpochMs: atEpochMs + 60_000,
        expiresAtEpochSeconds: expiresAt(atEpochMs),
      }
      const { acquired } = await store.acquire(claim, atEpochMs)
      if (!acquired) throw new Error(`the durable execution could not claim ${base.key}`)
    },
    complete: (atEpochMs: number) =>
      store.complete({
        ...base,
        status: 'COMPLETED',
        result: { encoding: 'json', json: '{"paid":true}' },
        completedAtEpochMs: atEpochMs,
        expiresAtEpochSeconds: expiresAt(atEpochMs),
      }),
  }
}

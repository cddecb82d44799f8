import { v7 as uuidv7 } from 'uuid'
import { seededRandom } from '../../bench/workload.js'

/** What the load test sends: logical payments, each to be retried until it gets a final answer. */

export interface LoadShape {
  /** Logical POST /payments requests (duplicates included). */
  readonly requests: number
  /** Distinct (user, Idempotency-Key) pairs they spread over. */
  readonly keys: number
  /** Share of first attempts sent with a client timeout short enough to abort many of them. */
  readonly abortRate: number
  /** The client timeout of those attempts is drawn from [1, maxAbortAfterMs]. */
  readonly maxAbortAfterMs: number
  readonly seed: number
}

export interface PlannedKey {
  readonly index: number
  readonly user: string
  readonly key: string
  /** Unique per key within a run, so the gateway ledger's charges can be told apart by amount. */
  readonly amount: number
}

export interface PlannedRequest {
  readonly key: PlannedKey
  /** Set when the first attempt gives up after this many ms (a dropped connection, a phone in a tunnel). */
  readonly abortAfterMs?: number
}

/** 50 shoppers share the keys, as real users hold several keys each; keys are per shopper all the same. */
const SHOPPERS = 50
/** Amounts start here (₹10.00 in paise) and rise by one per key. */
const FIRST_AMOUNT_MINOR = 1_000

/** Every key at least once, the rest as random duplicates, all shuffled: duplicates meet in flight. */
export function planLoad(
  shape: LoadShape,
  runId: string,
): { keys: PlannedKey[]; requests: PlannedRequest[] } {
  const random = seededRandom(shape.seed)
  const keys = Array.from({ length: shape.keys }, (_, index) => ({
    index,
    user: `load-${runId}-${index % SHOPPERS}`,
    // As a client makes its key (README, docs/http.md): a UUIDv7, sent again unchanged on every retry.
    key: uuidv7(),
    amount: FIRST_AMOUNT_MINOR + index,
  }))
  const requests: PlannedRequest[] = Array.from({ length: shape.requests }, (_, i) => {
    const key = keys[i < keys.length ? i : Math.floor(random() * keys.length)] as PlannedKey
    const aborts = random() < shape.abortRate
    return aborts ? { key, abortAfterMs: 1 + Math.floor(random() * shape.maxAbortAfterMs) } : { key }
  })
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[requests[i], requests[j]] = [requests[j] as PlannedRequest, requests[i] as PlannedRequest]
  }
  return { keys, requests }
}

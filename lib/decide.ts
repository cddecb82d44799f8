import { assertNever } from './assert-never.js'
import { type CompletedRecord, type IdempotencyRecord, isExpired } from './record.js'

/** What the caller of an attempt brings: the fingerprint of its payload and its own fencing token. */
export interface AttemptRequest {
  readonly fingerprint: string
  readonly token: string
}

export type Decision =
  /** Run the handler. `owned` means the stored lease is this attempt's own (an SDK retry of a write that landed). */
  | { readonly kind: 'execute'; readonly reason: 'absent' | 'expired' | 'lease-expired' | 'owned' }
  | { readonly kind: 'replay'; readonly record: CompletedRecord }
  | { readonly kind: 'conflict'; readonly retryAfterMs: number }
  | { readonly kind: 'mismatch' }

/**
 * The whole protocol in one pure function: what to do with a request given the record stored under its key.
 * The DynamoDB acquire condition is this function written as a condition expression; the in-memory store
 * calls it directly, and the store tests check that both agree on every seeded state.
 *
 * Timeline of one key: absent → IN_PROGRESS (lease) → COMPLETED (replayed until expiresAt) → expired, as if absent.
 * A lease that ends before completion (crash, timeout) lets the next attempt with the same payload take over.
 */
export function decide(
  existing: IdempotencyRecord | undefined,
  request: AttemptRequest,
  nowEpochMs: number,
): Decision {
  if (existing === undefined) return { kind: 'execute', reason: 'absent' }
  if (isExpired(existing, nowEpochMs)) return { kind: 'execute', reason: 'expired' }
  if (existing.fingerprint !== request.fingerprint) return { kind: 'mismatch' }

  switch (existing.status) {
    case 'COMPLETED':
      return { kind: 'replay', record: existing }
    case 'IN_PROGRESS':
      if (existing.token === request.token) return { kind: 'execute', reason: 'owned' }
      if (existing.leaseUntilEpochMs <= nowEpochMs) return { kind: 'execute', reason: 'lease-expired' }
      return { kind: 'conflict', retryAfterMs: existing.leaseUntilEpochMs - nowEpochMs }
    default:
      return assertNever(existing)
  }
}

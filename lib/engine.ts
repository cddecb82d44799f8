import { randomUUID } from 'node:crypto'
import { assertNever } from './assert-never.js'
import { type Decision, decide } from './decide.js'
import {
  IdempotencyError,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyResultNotStoredError,
} from './errors.js'
import { fingerprintOf, sha256 } from './fingerprint.js'
import { attachHandle, type Invocation } from './invocation.js'
import { LocalCache } from './local-cache.js'
import {
  type IdempotencyOptions,
  type IdempotencyOutcome,
  type LambdaContextLike,
  LEASE_MARGIN_MS,
  resolveOptions,
} from './options.js'
import {
  type CompletedRecord,
  type IdempotencyRecord,
  type InProgressRecord,
  toEpochSeconds,
} from './record.js'
import { decodeResult, encodeResult } from './result-codec.js'

export type Begun<TResult> =
  | { readonly kind: 'execute'; readonly invocation: Invocation }
  | { readonly kind: 'replay'; readonly result: TResult }
  | { readonly kind: 'passthrough' }

/** The scoped, hashed record key of an event and the fingerprint of its payload. */
export interface EngineKey {
  readonly key: string
  readonly fingerprint: string
}

/**
 * A record the caller read just before `begin` (a batch reads all its keys in one BatchGetItem): a replay,
 * mismatch or live lease in it is answered without a store call, and without waiting for the lease.
 * `record: undefined` means the key was absent when read.
 */
export interface KnownRecord {
  readonly record: IdempotencyRecord | undefined
}

export interface IdempotencyEngine<TEvent, TResult> {
  /** The record key and fingerprint `begin` would use; undefined when the event has no key (passthrough). */
  identify(event: TEvent, context: LambdaContextLike | undefined): EngineKey | undefined
  /** Claims the key or answers from the stored record; throws the toolkit's errors for everything else. */
  begin(event: TEvent, context: LambdaContextLike | undefined, known?: KnownRecord): Promise<Begun<TResult>>
  /** Stores the result under the claimed key, or releases the key when the result is not final. */
  complete(invocation: Invocation, result: TResult): Promise<void>
  /** Gives the key back after a failure, so a retry runs again. Only ever deletes this invocation's own record. */
  release(invocation: Invocation): Promise<void>
}

/** Re-claims after a refused write that `decide` would have allowed (a twin released meanwhile); bounded. */
const MAX_ACQUIRE_ATTEMPTS = 5
/** Polls for an in-flight twin start fast (most handlers finish in tens of ms) and back off to once a second. */
const FIRST_POLL_DELAY_MS = 50
const MAX_POLL_DELAY_MS = 1_000
/** Waiting never eats the last second of the Lambda's time: it is needed to send the answer. */
export const WAIT_RESERVE_MS = 1_000

/** The protocol shared by the Middy middleware and the plain wrapper. Options are merged once, here. */
export function createIdempotencyEngine<TEvent, TResult>(
  options: IdempotencyOptions<TEvent, TResult>,
): IdempotencyEngine<TEvent, TResult> {
  const config = resolveOptions(options)
  const { store, logger } = config
  const cache = config.localCache ? new LocalCache(config.localCache.maxEntries) : undefined

  function emit(outcome: IdempotencyOutcome): void {
    try {
      config.onOutcome?.(outcome)
    } catch (error) {
      logger.warn('idempotency onOutcome hook threw; ignored', { key: outcome.key, error: String(error) })
    }
  }

  const namespaceOf = (context: LambdaContextLike | undefined) =>
    config.namespace ?? `${context?.functionName ?? 'local'}#${config.operation}`

  function identify(event: TEvent, context: LambdaContextLike | undefined): EngineKey | undefined {
    const rawKey = config.key(event, context)
    if (rawKey === undefined || rawKey === '') {
      if (config.missingKey === 'error') throw new IdempotencyKeyMissingError()
      return undefined
    }
    return {
      key: `${namespaceOf(context)}#${sha256(rawKey)}`,
      fingerprint: fingerprintOf(config.payload(event, context)),
    }
  }

  async function begin(
    event: TEvent,
    context: LambdaContextLike | undefined,
    known?: KnownRecord,
  ): Promise<Begun<TResult>> {
    const identity = identify(event, context)
    if (identity === undefined) {
      logger.warn('No idempotency key in the event; running without idempotency', {
        namespace: namespaceOf(context),
      })
      return { kind: 'passthrough' }
    }
    const { key, fingerprint } = identity

    const cached = cache?.get(key)
    if (cached !== undefined) {
      const decision = decide(cached, { fingerprint, token: '' }, config.now())
      if (decision.kind === 'replay' || decision.kind === 'mismatch') return answer(decision, key, true)
      cache?.delete(key)
    }
    if (known?.record !== undefined) {
      const decision = decide(known.record, { fingerprint, token: '' }, config.now())
      if (decision.kind !== 'execute') return answer(decision, key, false)
    }

    const waitUntilEpochMs = config.now() + waitBudgetMs(event, context)
    let pollDelayMs = FIRST_POLL_DELAY_MS
    for (let attempt = 1; ; attempt++) {
      const nowEpochMs = config.now()
      const record = inProgressRecord(key, fingerprint, nowEpochMs, context)
      const claim = await withStoreErrors(key, () => store.acquire(record, nowEpochMs))
      let decision = claim.acquired
        ? ({ kind: 'execute', reason: 'absent' } as const)
        : decide(claim.existing, record, nowEpochMs)
      while (decision.kind === 'conflict' && config.now() + pollDelayMs < waitUntilEpochMs) {
        await sleep(pollDelayMs)
        pollDelayMs = Math.min(pollDelayMs * 2, MAX_POLL_DELAY_MS)
        decision = decide(await withStoreErrors(key, () => store.get(key)), record, config.now())
      }
      const claimed = claim.acquired || (decision.kind === 'execute' && decision.reason === 'owned')
      // A claim that landed after its own lease ended (a slow or retried write) holds nothing: another attempt
      // may already have taken the key over. Claim again with a fresh lease rather than run without the key.
      if (claimed && config.now() < record.leaseUntilEpochMs) {
        emit({ type: 'fresh', key })
        return { kind: 'execute', invocation: attachHandle(context, record) }
      }
      if (decision.kind !== 'execute') return answer(decision, key, false)
      if (attempt === MAX_ACQUIRE_ATTEMPTS) return answer({ kind: 'conflict', retryAfterMs: 0 }, key, false)
    }
  }

  function answer(
    decision: Exclude<Decision, { kind: 'execute' }>,
    key: string,
    fromCache: boolean,
  ): Begun<TResult> {
    switch (decision.kind) {
      case 'replay':
        return replay(decision.record, fromCache)
      case 'mismatch':
        emit({ type: 'mismatch', key, fromCache })
        throw new IdempotencyPayloadMismatchError()
      case 'conflict':
        emit({ type: 'conflict', key })
        throw new IdempotencyInProgressError(decision.retryAfterMs)
      default:
        return assertNever(decision)
    }
  }

  function replay(record: CompletedRecord, fromCache: boolean): Begun<TResult> {
    cache?.set(record)
    let result: TResult
    try {
      result = decodeResult(record.result) as TResult
    } catch (error) {
      if (error instanceof IdempotencyResultNotStoredError)
        emit({ type: 'result-not-stored', key: record.key, error })
      throw error
    }
    emit({ type: 'replay', key: record.key, fromCache })
    return { kind: 'replay', result: config.replayed(result) }
  }

  function inProgressRecord(
    key: string,
    fingerprint: string,
    nowEpochMs: number,
    context: LambdaContextLike | undefined,
  ): InProgressRecord {
    const remainingMs = context?.getRemainingTimeInMillis?.()
    const leaseMs = remainingMs === undefined ? config.leaseMs : remainingMs + LEASE_MARGIN_MS
    return {
      key,
      fingerprint,
      token: randomUUID(),
      status: 'IN_PROGRESS',
      leaseUntilEpochMs: nowEpochMs + leaseMs,
      expiresAtEpochSeconds: toEpochSeconds(nowEpochMs) + config.ttlSeconds,
    }
  }

  function waitBudgetMs(event: TEvent, context: LambdaContextLike | undefined): number {
    const askedMs = Math.max(0, config.waitForInFlightMs(event, context))
    const remainingMs = context?.getRemainingTimeInMillis?.()
    return remainingMs === undefined ? askedMs : Math.min(askedMs, remainingMs - WAIT_RESERVE_MS)
  }

  async function complete(invocation: Invocation, result: TResult): Promise<void> {
    if (invocation.state !== 'held')
      throw new Error(`Cannot complete an invocation that is ${invocation.state}`)
    if (!config.shouldStore(result)) return release(invocation)
    const stored = encodeResult(result, config)
    if (stored.encoding === 'not-stored') {
      logger.warn('Result not stored; replays of this key will get an error', {
        key: invocation.key,
        reason: stored.reason,
      })
      emit({ type: 'result-not-stored', key: invocation.key })
    }
    const nowEpochMs = config.now()
    const record: CompletedRecord = {
      key: invocation.key,
      token: invocation.token,
      fingerprint: invocation.fingerprint,
      status: 'COMPLETED',
      result: stored,
      completedAtEpochMs: nowEpochMs,
      expiresAtEpochSeconds: toEpochSeconds(nowEpochMs) + config.ttlSeconds,
    }
    try {
      await settle(invocation, 'complete', () => store.complete(record, invocation.extraWrites))
    } catch (error) {
      // The handler's own writes refused the transaction, so nothing was committed: that is the handler's
      // failure, and like a thrown error it gives the key back, whichever wrapper called us.
      if (invocation.state === 'held') await release(invocation).catch(() => undefined)
      throw error
    }
    invocation.state = 'completed'
    cache?.set(record)
  }

  async function release(invocation: Invocation): Promise<void> {
    if (invocation.state !== 'held') return
    await settle(invocation, 'release', () => store.release(invocation.key, invocation.token))
    invocation.state = 'released'
    emit({ type: 'released', key: invocation.key })
  }

  /**
   * After the handler ran, a failed write must never lead to a second run: on any store failure the
   * invocation stops holding the key (no release follows), and the record stays until its lease ends.
   */
  async function settle(
    invocation: Invocation,
    operation: 'complete' | 'release',
    write: () => Promise<void>,
  ) {
    try {
      await withStoreErrors(invocation.key, write)
    } catch (error) {
      if (!(error instanceof IdempotencyError)) throw error
      invocation.state = error instanceof IdempotencyLeaseLostError ? 'lost' : 'failed'
      if (error instanceof IdempotencyLeaseLostError) {
        logger.warn(`Lease lost before ${operation}: another attempt took this key over`, {
          key: invocation.key,
        })
        emit({ type: 'lease-lost', key: invocation.key, error })
      }
      throw error
    }
  }

  async function withStoreErrors<T>(key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (error instanceof IdempotencyError && error.code === 'store-unavailable') {
        logger.warn('Idempotency store unavailable', { key, error: error.message })
        emit({ type: 'store-error', key, error })
      }
      throw error
    }
  }

  return { identify, begin, complete, release }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

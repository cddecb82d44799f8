import { randomUUID } from 'node:crypto'
import { assertNever } from './assert-never.js'
import { sleep } from './backoff.js'
import { type Decision, decide } from './decide.js'
import {
  type IdempotencyHandlerTimeoutError,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyPayloadMismatchError,
  isIdempotencyError,
} from './errors.js'
import { fingerprintOf } from './fingerprint.js'
import { attachHandle, type HeldClaim, type Invocation } from './invocation.js'
import { leaseMsFor, waitBudgetMs } from './lease.js'
import { LocalCache } from './local-cache.js'
import {
  type IdempotencyOptions,
  type LambdaContextLike,
  type ResolvedOptions,
  resolveOptions,
} from './options.js'
import {
  type CompletedRecord,
  type InProgressRecord,
  retainedThroughEpochSeconds,
  toEpochSeconds,
} from './record.js'
import { defaultNamespace, recordKeyOf } from './record-key.js'
import { createReporter } from './reporting.js'
import { decodeResult } from './result-codec.js'
import { type Begun, createRunPath, type KnownRecord } from './run-path.js'
import { createSettlement } from './settlement.js'

/** The scoped, hashed record key of an event and the fingerprint of its payload. */
export interface EngineKey {
  readonly key: string
  readonly fingerprint: string
}

export type { Begun, KnownRecord }

/**
 * A caller's own terms for one claim, instead of a random token and a lease from the Lambda's remaining time:
 * the durable wrapper claims once for a whole execution, with a token derived from the execution's ARN. A later
 * `begin` with the token of the claim stored under the key continues under that claim (`owned`) and its lease.
 */
export interface ClaimTerms {
  readonly token: string
  /** How long a new claim holds. */
  readonly leaseMs: number
}

export interface IdempotencyEngine<TEvent, TResult> {
  /** The options as the engine resolved them, defaults merged: wrappers read these, never recompute them. */
  readonly config: ResolvedOptions<TEvent, TResult>
  /** The record key and fingerprint `begin` would use; undefined when the event has no key (passthrough). */
  identify(event: TEvent, context: LambdaContextLike | undefined): EngineKey | undefined
  /** Claims the key or answers from the stored record; throws the toolkit's errors for everything else. */
  begin(
    event: TEvent,
    context: LambdaContextLike | undefined,
    known?: KnownRecord,
    terms?: ClaimTerms,
  ): Promise<Begun<TResult>>
  /** Stores the result under the claimed key, or releases the key when the result is not final. */
  complete(invocation: Invocation, result: TResult): Promise<void>
  /** Gives the key back after a failure, so a retry runs again. Only ever deletes this invocation's own record. */
  release(invocation: Invocation): Promise<void>
  /**
   * The framework answered while the handler may still run: keeps the key until its lease ends (no release, no
   * completion), aborts the handle's signal, and returns the error to answer the caller with.
   */
  abandon(invocation: Invocation, cause: unknown): IdempotencyHandlerTimeoutError
  /** The one run path: claim or answer, run the handler under the claim, complete, or give back on a throw. */
  run: RunPath<TEvent, TResult>['run']
  /** The run path under a claim already held (`begin` answered `execute`): run, then finish or give back. */
  runHeld: RunPath<TEvent, TResult>['runHeld']
  /** Gives the key back after the handler failed, never hiding its error: the lease bounds a failed release. */
  giveBack(invocation: Invocation): Promise<void>
}

type RunPath<TEvent, TResult> = ReturnType<typeof createRunPath<TEvent, TResult>>

/** Re-claims after a refused write that `decide` would have allowed (a twin released meanwhile); bounded. */
const MAX_ACQUIRE_ATTEMPTS = 5
/** Polls for an in-flight twin start fast (most handlers finish in tens of ms) and back off to once a second. */
const FIRST_POLL_DELAY_MS = 50
const MAX_POLL_DELAY_MS = 1_000

/** The protocol shared by the Middy middleware and the plain wrapper. Options are merged once, here. */
export function createIdempotencyEngine<TEvent, TResult>(
  options: IdempotencyOptions<TEvent, TResult>,
): IdempotencyEngine<TEvent, TResult> {
  const config = resolveOptions(options)
  const { store, logger } = config
  const cache = config.localCache ? new LocalCache(config.localCache.maxEntries) : undefined

  const reporter = createReporter(config)
  const { emit, withStoreErrors } = reporter
  const { complete, release, abandon } = createSettlement(config, cache, reporter)

  const namespaceOf = (context: LambdaContextLike | undefined) =>
    config.namespace ?? defaultNamespace(context?.functionName, config.operation)

  function identify(event: TEvent, context: LambdaContextLike | undefined): EngineKey | undefined {
    const rawKey = config.key(event, context)
    if (rawKey === undefined || rawKey === '') {
      if (config.missingKey === 'error') throw new IdempotencyKeyMissingError()
      return undefined
    }
    return {
      key: recordKeyOf(namespaceOf(context), rawKey),
      fingerprint: fingerprintOf(config.payload(event, context)),
    }
  }

  async function begin(
    event: TEvent,
    context: LambdaContextLike | undefined,
    known?: KnownRecord,
    terms?: ClaimTerms,
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

    const waitUntilEpochMs = config.now() + waitBudgetMs(config.maxWaitMs(event, context), context)
    let pollDelayMs = FIRST_POLL_DELAY_MS
    for (let attempt = 1; ; attempt++) {
      const nowEpochMs = config.now()
      const record = inProgressRecord(key, fingerprint, nowEpochMs, context, terms)
      const claim = await withStoreErrors(key, () => store.acquire(record, nowEpochMs))
      let decision = claim.acquired
        ? ({ kind: 'execute', reason: 'absent' } as const)
        : decide(claim.existing, record, nowEpochMs)
      // A refused write that finds this attempt's token: an SDK retry of a write that landed, or a later begin
      // under the same claim terms. The stored claim is ours, with the lease it was written with.
      const owned = decision.kind === 'execute' && decision.reason === 'owned' && !claim.acquired
      const held = claim.acquired ? record : owned ? (claim.existing as InProgressRecord) : undefined
      while (decision.kind === 'conflict' && config.now() + pollDelayMs < waitUntilEpochMs) {
        await sleep(pollDelayMs)
        pollDelayMs = Math.min(pollDelayMs * 2, MAX_POLL_DELAY_MS)
        decision = decide(await withStoreErrors(key, () => store.get(key)), record, config.now())
      }
      // A claim whose lease has ended (a slow or retried write) holds nothing: another attempt may already have
      // taken the key over. Claim again with a fresh lease rather than run without the key.
      if (held !== undefined && config.now() < held.leaseUntilEpochMs) {
        // Continuing under a caller's own earlier claim is no new execution.
        if (!(owned && terms !== undefined)) emit({ type: 'fresh', key })
        return { kind: 'execute', invocation: attachHandle(context, held, ownWritesOpener(held)) }
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
      if (isIdempotencyError(error, 'result-not-stored'))
        emit({ type: 'result-not-stored', key: record.key, error })
      throw error
    }
    emit({ type: 'replay', key: record.key, fromCache })
    return { kind: 'replay', result: config.replayed(result) }
  }

  /** The store opens the handler's own writes only if the handler asks for them. */
  function ownWritesOpener(record: HeldClaim): (() => unknown) | undefined {
    if (store.openOwnWrites === undefined) return undefined
    return () => store.openOwnWrites?.({ key: record.key, token: record.token })
  }

  function inProgressRecord(
    key: string,
    fingerprint: string,
    nowEpochMs: number,
    context: LambdaContextLike | undefined,
    terms: ClaimTerms | undefined,
  ): InProgressRecord {
    const leaseUntilEpochMs = nowEpochMs + (terms?.leaseMs ?? leaseMsFor(context, config.leaseMs))
    return {
      key,
      fingerprint,
      token: terms?.token ?? randomUUID(),
      status: 'IN_PROGRESS',
      leaseUntilEpochMs,
      // Past its retention a record counts as absent, so a claim kept only `ttlSeconds` (60 s, say) would
      // hand a 15-minute invocation's key to a duplicate while it still runs: a claim is kept at least its lease.
      expiresAtEpochSeconds: Math.max(
        toEpochSeconds(nowEpochMs) + config.ttlSeconds,
        retainedThroughEpochSeconds(leaseUntilEpochMs),
      ),
    }
  }

  return {
    config,
    identify,
    begin,
    complete,
    release,
    abandon,
    ...createRunPath({ begin, complete, release }),
  }
}

import { randomUUID } from 'node:crypto'
import {
  IdempotencyCompletionRejectedError,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  isIdempotencyError,
} from '../errors.js'
import { attachHandle } from '../invocation.js'
import { leaseMsFor } from '../lease.js'
import { checkLeaseMs } from '../option-checks.js'
import { optionNames, refuseUnknownOptions } from '../option-names.js'
import type { CommonOptions, LambdaContextLike } from '../options.js'
import { defaultNamespace, recordKeyOf } from '../record-key.js'
import { isStoreWriteRefused } from '../store/interface.js'
import {
  decideVersion,
  type VersionClaim,
  type VersionState,
  type VersionStore,
} from '../store/version-store.js'
import type { RecordGuard } from './batch-runner.js'

/** An entity id and its monotonic version (an integer: a counter, a sequence number, epoch milliseconds). */
export interface EntityVersion {
  readonly id: string
  readonly version: number | bigint
}

/**
 * Naming, lease and clock as every wrapper takes them (`CommonOptions`; `operation` defaults to 'versions'
 * here); the store is a version store, and versions are kept for good, so there is no retention.
 */
export interface VersionedOptions<TEvent>
  extends Pick<CommonOptions, 'operation' | 'namespace' | 'leaseMs' | 'now'> {
  readonly store: VersionStore
  /** The entity and version an event carries; undefined is refused (`IdempotencyKeyMissingError`). */
  readonly entity: (event: TEvent) => EntityVersion | undefined
  /** In batches: read every entity's version in one BatchGetItem first, so stale records cost no write. @default true */
  readonly prefetch?: boolean
}

/** Every option of `VersionedOptions`. */
export const VERSIONED_OPTION_NAMES = optionNames<VersionedOptions<unknown>>()([
  'operation',
  'namespace',
  'leaseMs',
  'now',
  'store',
  'entity',
  'prefetch',
])

export type VersionedOutcome<TResult> =
  | { readonly kind: 'processed'; readonly version: bigint; readonly result: TResult }
  /** Same or older than the entity's last processed version: the handler did not run. */
  | { readonly kind: 'stale'; readonly version: bigint; readonly currentVersion: bigint }

/**
 * Runs `handler` only for a version newer than the entity's last processed one: claim the version (a conditional
 * write: newer, and no live claim), run, then complete, which moves the entity's version, together with any
 * writes added through `idempotencyOf(context).addToCompletion`. A handler error, or those writes refused
 * (their conditions, or `IdempotencyCompletionRejectedError` when the store finds them invalid), releases the
 * claim and the version stays put, so the failed version (or a newer one) runs on the next delivery; a crash
 * leaves the claim to its lease. A version arriving while another holds the entity throws
 * `IdempotencyInProgressError`.
 *
 * @example
 * ```ts
 * const project = makeVersioned(async (change: OrderChanged) => saveProjection(change), {
 *   store: new DynamoDBVersionStore(),
 *   entity: (change) => ({ id: change.orderId, version: change.version }),
 * })
 * ```
 */
export function makeVersioned<TEvent, TResult, TContext extends LambdaContextLike>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
  options: VersionedOptions<TEvent>,
): (event: TEvent, context: TContext) => Promise<VersionedOutcome<TResult>> {
  refuseUnknownOptions(options, VERSIONED_OPTION_NAMES, 'makeVersioned')
  const gate = createVersionGate(options)
  return (event, context) => gate.run(event, context, handler, undefined)
}

/** Version-aware records for `makeVersionedBatchHandler`: lanes by entity, stale records skipped. */
export function versionGuard<TRecord, TResult>(
  options: VersionedOptions<TRecord>,
): RecordGuard<TRecord, TResult, VersionState> {
  const gate = createVersionGate(options)
  return {
    keyOf: (record, context) => gate.identify(record, context).key,
    readMany: options.prefetch === false ? undefined : (keys) => options.store.getMany(keys),
    async run(record, context, handler, known) {
      try {
        const outcome = await gate.run(record, context, handler, known)
        return { kind: outcome.kind }
      } catch (error) {
        return { kind: isIdempotencyError(error, 'in-progress') ? 'in-flight' : 'failed', error }
      }
    },
  }
}

function createVersionGate<TEvent>(options: VersionedOptions<TEvent>) {
  checkLeaseMs(options.leaseMs)
  const { store } = options
  const now = options.now ?? Date.now

  function identify(event: TEvent, context: LambdaContextLike | undefined) {
    const entity = options.entity(event)
    if (entity === undefined || entity.id === '')
      throw new IdempotencyKeyMissingError('This event carries no entity id and version.')
    const namespace =
      options.namespace ?? defaultNamespace(context?.functionName, options.operation ?? 'versions')
    return { key: recordKeyOf(`${namespace}#entity-version`, entity.id), version: toVersion(entity.version) }
  }

  async function run<TResult, TContext extends LambdaContextLike>(
    event: TEvent,
    context: TContext,
    handler: (event: TEvent, context: TContext) => Promise<TResult>,
    known: { readonly value: VersionState | undefined } | undefined,
  ): Promise<VersionedOutcome<TResult>> {
    const { key, version } = identify(event, context)
    const nowEpochMs = now()
    const claim: VersionClaim = {
      key,
      version,
      token: randomUUID(),
      leaseUntilEpochMs: nowEpochMs + leaseMsFor(context, options.leaseMs),
    }
    let decision = known ? decideVersion(known.value, claim, nowEpochMs) : ({ kind: 'claim' } as const)
    if (decision.kind === 'claim') {
      const claimed = await store.claim(claim, nowEpochMs)
      // A claim that landed after its own lease ended (a slow or retried write) holds nothing: another consumer
      // may already hold the entity. Never run on it; the redelivery claims afresh.
      if (claimed.claimed && now() >= claim.leaseUntilEpochMs) throw new IdempotencyInProgressError(0)
      if (claimed.claimed)
        return { kind: 'processed', version, result: await hold(claim, event, context, handler) }
      decision = decideVersion(claimed.existing, claim, nowEpochMs)
    }
    if (decision.kind === 'stale') return { kind: 'stale', version, currentVersion: decision.currentVersion }
    // A refused claim that the decision would allow can only mean it changed in between: retry later.
    throw new IdempotencyInProgressError(decision.kind === 'conflict' ? decision.retryAfterMs : 0)
  }

  async function hold<TResult, TContext extends LambdaContextLike>(
    claim: VersionClaim,
    event: TEvent,
    context: TContext,
    handler: (event: TEvent, context: TContext) => Promise<TResult>,
  ): Promise<TResult> {
    // The handle's key names the entity *version*, so `stableKey(purpose)` is the same on every retry of it.
    const invocation = attachHandle(
      context,
      {
        key: `${claim.key}#${claim.version}`,
        token: claim.token,
        fingerprint: '',
        leaseUntilEpochMs: claim.leaseUntilEpochMs,
      },
      store.openOwnWrites && (() => store.openOwnWrites?.({ key: claim.key, token: claim.token })),
    )
    let result: TResult
    try {
      result = await handler(event, context)
    } catch (error) {
      invocation.state = 'released'
      // The handler's error is the one to raise; a failed release leaves the claim to its lease.
      await store.release(claim).catch(() => undefined)
      throw error
    }
    try {
      await store.complete(claim, invocation.ownWrites)
    } catch (error) {
      // Lease lost or store outage: the claim stays to its lease, never a second run now.
      if (isIdempotencyError(error)) throw error
      // Refused for good, or the handler's writes failed their conditions: nothing was committed, so like a
      // thrown error this gives the version back, and its redelivery runs again.
      invocation.state = 'released'
      await store.release(claim).catch(() => undefined)
      throw isStoreWriteRefused(error) ? new IdempotencyCompletionRejectedError(true, error) : error
    }
    invocation.state = 'completed'
    return result
  }

  return { identify, run }
}

function toVersion(version: number | bigint): bigint {
  if (typeof version === 'bigint') return version
  if (!Number.isSafeInteger(version))
    throw new RangeError(`An entity version must be an integer, got ${version}`)
  return BigInt(version)
}

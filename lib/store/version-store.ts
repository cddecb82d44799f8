import type { OwnWritesClaim } from './interface.js'

/** One attempt to process version `version` of an entity, holding a lease under its own fencing token. */
export interface VersionClaim {
  /** `${namespace}#entity-version#${sha256(entityId)}`: scoped and hashed, never the raw entity id. */
  readonly key: string
  readonly version: bigint
  readonly token: string
  readonly leaseUntilEpochMs: number
}

/** What is stored per entity. */
export interface VersionState {
  readonly key: string
  /** The highest version whose processing completed; absent until one has. */
  readonly version?: bigint
  /** The version being processed, until it completes, is released, or its lease ends. */
  readonly claim?: { readonly version: bigint; readonly token: string; readonly leaseUntilEpochMs: number }
  /** The token of the claim that completed `version`: a completion it sends again finds itself done. */
  readonly completedBy?: string
}

export type VersionDecision =
  | { readonly kind: 'claim' }
  /** Same or older than the completed version: nothing to do, ever. */
  | { readonly kind: 'stale'; readonly currentVersion: bigint }
  /** Another version (or a twin of this one) holds a live lease: retry after it. */
  | { readonly kind: 'conflict'; readonly retryAfterMs: number }

/**
 * Version-aware processing in one pure function; the DynamoDB claim condition is this function written as a
 * condition expression, and the tests check both agree on every seeded state.
 *
 * Claim → process → complete. Only completion moves `version`, so a failed or crashed attempt never leaves the
 * entity at a version that was not processed: a failure releases the claim, a crash leaves it to its lease.
 * One claim per entity at a time: two versions racing are processed one after the other, and whichever runs
 * second sees the first's completion. The older one, second, is then stale: it can never win after the newer.
 * A version older than a live claim is a conflict, not stale: the claim may still fail.
 */
export function decideVersion(
  existing: VersionState | undefined,
  request: VersionClaim,
  nowEpochMs: number,
): VersionDecision {
  if (existing?.version !== undefined && existing.version >= request.version)
    return { kind: 'stale', currentVersion: existing.version }
  const claim = existing?.claim
  if (claim === undefined || claim.token === request.token || claim.leaseUntilEpochMs <= nowEpochMs)
    return { kind: 'claim' }
  return { kind: 'conflict', retryAfterMs: claim.leaseUntilEpochMs - nowEpochMs }
}

/** Whether `state` shows that this claim's completion landed (its answer lost, or sent again). */
export const versionCompleted = (state: VersionState | undefined, claim: VersionClaim): boolean =>
  state?.completedBy === claim.token && state.version === claim.version

export type ClaimResult =
  | { readonly claimed: true }
  /** Refused; `existing` is the state that refused it, read in the same call. */
  | { readonly claimed: false; readonly existing: VersionState }

/**
 * Entity versions, on the idempotency table but in a store of their own: the state machine differs (a monotonic
 * number per entity, no fingerprint, no stored result, no expiry), and adding it to `IdempotencyStore` would make
 * every store implementation carry methods the core protocol never calls. Refused completions and releases
 * throw `IdempotencyLeaseLostError`; store faults throw `IdempotencyStoreUnavailableError`.
 */
export interface VersionStore<TOwnWrites = unknown> {
  claim(request: VersionClaim, nowEpochMs: number): Promise<ClaimResult>
  /** Moves the entity to the claimed version; `ownWrites` commit in the same transaction, or nothing does. */
  complete(claim: VersionClaim, ownWrites?: TOwnWrites): Promise<void>
  /** Gives the claim up after a failure; the entity's version stays where it was. */
  release(claim: VersionClaim): Promise<void>
  /** Opens what the handler writes through, as `IdempotencyStore.openOwnWrites` does. */
  openOwnWrites?(claim: OwnWritesClaim): TOwnWrites
  /** States for many keys in as few calls as the store allows; absent keys are left out. */
  getMany(keys: readonly string[]): Promise<Map<string, VersionState>>
}

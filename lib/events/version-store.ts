import { IdempotencyLeaseLostError } from '../errors.js'
import { CollectedWrites, collectedItems } from '../own-writes.js'
import type { OwnWritesClaim } from '../store/interface.js'

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

/** The same semantics in process memory, for unit tests and local experiments. Never for production. */
export class InMemoryVersionStore implements VersionStore<CollectedWrites<unknown>> {
  readonly states = new Map<string, VersionState>()
  readonly committedWrites: unknown[] = []

  openOwnWrites(): CollectedWrites<unknown> {
    return new CollectedWrites<unknown>()
  }

  async claim(request: VersionClaim, nowEpochMs: number): Promise<ClaimResult> {
    const existing = this.states.get(request.key)
    if (decideVersion(existing, request, nowEpochMs).kind !== 'claim')
      return { claimed: false, existing: existing as VersionState }
    const { version, token, leaseUntilEpochMs } = request
    this.states.set(request.key, {
      ...existing,
      key: request.key,
      claim: { version, token, leaseUntilEpochMs },
    })
    return { claimed: true }
  }

  async complete(claim: VersionClaim, ownWrites?: CollectedWrites<unknown>): Promise<void> {
    if (versionCompleted(this.states.get(claim.key), claim)) return
    this.heldBy(claim, 'complete')
    this.states.set(claim.key, { key: claim.key, version: claim.version, completedBy: claim.token })
    this.committedWrites.push(...collectedItems(ownWrites))
  }

  async release(claim: VersionClaim): Promise<void> {
    const existing = this.states.get(claim.key)
    if (existing?.claim === undefined) return
    this.heldBy(claim, 'release')
    const { claim: _released, ...rest } = existing
    this.states.set(claim.key, rest)
  }

  async getMany(keys: readonly string[]): Promise<Map<string, VersionState>> {
    return new Map(keys.flatMap((key) => this.states.get(key) ?? []).map((state) => [state.key, state]))
  }

  private heldBy(claim: VersionClaim, operation: 'complete' | 'release') {
    if (this.states.get(claim.key)?.claim?.token !== claim.token)
      throw new IdempotencyLeaseLostError(operation)
  }
}

import { IdempotencyLeaseLostError } from '../errors.js'
import { CollectedWrites, collectedItems } from '../store/collected-writes.js'
import {
  type ClaimResult,
  decideVersion,
  type VersionClaim,
  type VersionState,
  type VersionStore,
  versionCompleted,
} from '../store/version-store.js'

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

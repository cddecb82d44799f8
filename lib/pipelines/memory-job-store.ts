import { IdempotencyLeaseLostError } from '../errors.js'
import { CollectedWrites, collectedItems } from '../store/collected-writes.js'
import {
  decideJob,
  type JobClaim,
  type JobClaimResult,
  type JobState,
  type JobStore,
  type JobWritesClaim,
  runCompleted,
} from './job-store.js'

/**
 * The job protocol in process memory, for unit tests and local experiments; never for production. A run's writes
 * are collected and appear in `committedWrites` only once its completion lands.
 */
export class InMemoryJobStore implements JobStore<CollectedWrites<unknown>> {
  readonly states = new Map<string, JobState>()
  readonly committedWrites: unknown[] = []

  openWrites(claim: JobWritesClaim): CollectedWrites<unknown> {
    return new CollectedWrites<unknown>(Number.POSITIVE_INFINITY, claim.assertWritable)
  }

  async claim(request: JobClaim, nowEpochMs: number): Promise<JobClaimResult> {
    const existing = this.states.get(request.key)
    if (decideJob(existing, request, nowEpochMs).kind !== 'run') return { claimed: false, existing }
    const { inputVersion, token, leaseUntilEpochMs } = request
    this.states.set(request.key, {
      ...existing,
      key: request.key,
      claim: { inputVersion, token, leaseUntilEpochMs },
    })
    return { claimed: true, existing }
  }

  async complete(
    claim: JobClaim,
    summary: string,
    nowEpochMs: number,
    writes?: CollectedWrites<unknown>,
  ): Promise<void> {
    if (runCompleted(this.states.get(claim.key), claim)) return
    this.heldBy(claim, 'complete')
    const completed = {
      inputVersion: claim.inputVersion,
      summary,
      token: claim.token,
      completedAtEpochMs: nowEpochMs,
    }
    this.states.set(claim.key, { key: claim.key, completed })
    this.committedWrites.push(...collectedItems(writes))
  }

  async release(claim: JobClaim): Promise<void> {
    const existing = this.states.get(claim.key)
    if (existing?.claim === undefined) return
    this.heldBy(claim, 'release')
    const { claim: _released, ...rest } = existing
    this.states.set(claim.key, rest)
  }

  async get(key: string): Promise<JobState | undefined> {
    return this.states.get(key)
  }

  private heldBy(claim: JobClaim, operation: 'complete' | 'release') {
    if (this.states.get(claim.key)?.claim?.token !== claim.token)
      throw new IdempotencyLeaseLostError(operation)
  }
}

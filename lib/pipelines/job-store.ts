import { assertNever } from '../assert-never.js'

/**
 * One run's claim on one partition of a job: the partition's key, the input version it processes, whether it was
 * forced, and its fencing token (the run id) and lease.
 */
export interface JobClaim {
  /** `pipeline-run#${job}#${partition}`: one key per partition, whatever the input version (see `decideJob`). */
  readonly key: string
  readonly inputVersion: string
  /** Run even though this input version already completed: replaces the partition again. */
  readonly force: boolean
  /** Random per run: the run id the write helpers tag their output with, and the fence on every transition. */
  readonly token: string
  readonly leaseUntilEpochMs: number
}

/** The partition's last completed run: what a re-run of the same input version replays. */
export interface CompletedRun {
  readonly inputVersion: string
  /** The run's summary as JSON. */
  readonly summary: string
  /** The token (run id) of the run that completed: its own completion sent again finds itself done. */
  readonly token: string
  readonly completedAtEpochMs: number
}

/** What is stored per partition. */
export interface JobState {
  readonly key: string
  readonly completed?: CompletedRun
  /** The run in progress, until it completes, is released, or its lease ends. */
  readonly claim?: {
    readonly inputVersion: string
    readonly token: string
    readonly leaseUntilEpochMs: number
  }
}

/** Why a run runs: the first of its partition, a new input version, forced, or taking over a crashed run. */
export type RunReason = 'first' | 'new-input' | 'forced' | 'takeover' | 'owned'

export type JobDecision =
  | { readonly kind: 'run'; readonly reason: RunReason }
  /** This input version already completed, and the run is not forced: answer its summary, do no work. */
  | { readonly kind: 'replay'; readonly completed: CompletedRun }
  /** Another run holds the partition's live lease (forced or not): retry after it. */
  | { readonly kind: 'conflict'; readonly retryAfterMs: number }

/**
 * The job protocol in one pure function: what a run of one partition does given the partition's stored state.
 * Each store's claim condition is this function written in its own terms (a condition expression, a SQL
 * `WHERE`), and the contract tests check that they agree.
 *
 * One claim per partition at a time, whatever the input version: two runs of one partition never write it at
 * once, so partition replace, merge and swap each see one writer. A live claim refuses every other run, forced
 * or not (force never takes over). Without a live claim: the same input version completed before replays its
 * summary unless forced; a new input version, or force, runs and replaces; a claim whose lease ended (a crash,
 * a timeout) is taken over. Input versions are compared for equality, not order.
 */
export function decideJob(
  existing: JobState | undefined,
  request: Pick<JobClaim, 'inputVersion' | 'force' | 'token'>,
  nowEpochMs: number,
): JobDecision {
  const claim = existing?.claim
  if (claim !== undefined && claim.token === request.token) return { kind: 'run', reason: 'owned' }
  if (claim !== undefined && claim.leaseUntilEpochMs > nowEpochMs)
    return { kind: 'conflict', retryAfterMs: claim.leaseUntilEpochMs - nowEpochMs }
  const completed = existing?.completed
  const reason = runReason(existing, request)
  switch (reason) {
    case 'replay':
      return { kind: 'replay', completed: completed as CompletedRun }
    case 'first':
    case 'new-input':
    case 'forced':
      return { kind: 'run', reason: claim === undefined ? reason : 'takeover' }
    default:
      return assertNever(reason)
  }
}

function runReason(
  existing: JobState | undefined,
  request: Pick<JobClaim, 'inputVersion' | 'force'>,
): 'replay' | 'first' | 'new-input' | 'forced' {
  const completed = existing?.completed
  if (completed === undefined) return 'first'
  if (completed.inputVersion !== request.inputVersion) return 'new-input'
  return request.force ? 'forced' : 'replay'
}

/** Whether `state` shows that this claim's completion landed (its answer lost, or sent again). */
export const runCompleted = (state: JobState | undefined, claim: JobClaim): boolean =>
  state?.completed?.token === claim.token && state.claim === undefined

/**
 * Whether the claim landed, and the partition's state as the claim found it, read in the same call: the state it
 * replaced (the wrapper tells from it why the run runs), or the state that refused it.
 */
export interface JobClaimResult {
  readonly claimed: boolean
  readonly existing: JobState | undefined
}

/** The claim a store opens a run's writes for. */
export interface JobWritesClaim {
  readonly key: string
  readonly token: string
  /** Throws once the run may no longer write (its lease ended, or it settled): checked before each write. */
  readonly assertWritable: () => void
}

/**
 * Partition runs, one record per (job, partition). Every write is conditional: a claim lands only where
 * `decideJob` says run; complete and release only while the record still carries the run's token. A refused
 * complete or release throws `IdempotencyLeaseLostError`; store faults throw `IdempotencyStoreUnavailableError`.
 *
 * A store may let a run's writes join its completion (`openWrites`): DynamoDB collects TransactWriteItems (the
 * pointer switch of a partition replace), PostgreSQL opens a transaction (the partition's rows). Either way they
 * commit with the completion or not at all.
 */
export interface JobStore<TWrites = unknown> {
  claim(request: JobClaim, nowEpochMs: number): Promise<JobClaimResult>
  /** Stores the run's summary and ends its claim, with `writes` in the same transaction, or nothing. */
  complete(claim: JobClaim, summary: string, nowEpochMs: number, writes?: TWrites): Promise<void>
  /** Gives the claim up after a failure: the last completed run stays as it was; `writes` never commit. */
  release(claim: JobClaim, writes?: TWrites): Promise<void>
  get(key: string): Promise<JobState | undefined>
  /** Opens what a run writes through on its first use; absent when the store joins none. */
  openWrites?(claim: JobWritesClaim): TWrites
}

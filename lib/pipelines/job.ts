import { randomUUID } from 'node:crypto'
import { assertNever } from '../assert-never.js'
import { IdempotencyLeaseLostError, isIdempotencyError } from '../errors.js'
import { checkLeaseMs } from '../option-checks.js'
import { optionNames, refuseUnknownOptions } from '../option-names.js'
import { type LambdaContextLike, LEASE_MARGIN_MS } from '../options.js'
import { PartitionBusyError } from './errors.js'
import { decideJob, type JobClaim, type JobStore, type RunReason } from './job-store.js'

export interface PipelineJobOptions {
  /** Where runs are recorded: `DynamoDBJobStore`, `PostgresJobStore` or `InMemoryJobStore`. */
  readonly store: JobStore
  /** Names the job; with the partition, the key of its runs. No `#`. */
  readonly name: string
  /**
   * How long a run may hold its partition, in milliseconds: size it to the job's longest run. With a Lambda
   * context it is at least the invocation's remaining time (the runtime ends the run at its deadline, so a lease
   * that outlives it lets nobody run beside it). @default 900000 (15 min, the longest a Lambda runs)
   */
  readonly leaseMs?: number
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number
}

const JOB_OPTION_NAMES = optionNames<PipelineJobOptions>()(['store', 'name', 'leaseMs', 'now'])

/** Without a Lambda context, a run is leased as long as the longest Lambda invocation. */
const DEFAULT_JOB_LEASE_MS = 15 * 60_000

/** What a scheduler, a backfill or an operator sends: which partition, of which input, forced or not. */
export interface JobInvocation {
  /** The partition the run replaces: a date (`2024-01-15`), an hour, a tenant and a date... */
  readonly partition: string
  /**
   * The version of what the run reads or how it computes (a source snapshot, an export's ETag, `v2` after a
   * bug fix): a new one runs again and replaces the partition; the same one replays. @default ''
   */
  readonly inputVersion?: string
  /** Run again even though this input version completed; never takes over a live run. @default false */
  readonly force?: boolean
}

/** What the work of one run gets: who it is, and what its writes go through. */
export interface JobRun {
  readonly job: string
  readonly partition: string
  readonly inputVersion: string
  /** The claim's fencing token: the write helpers tag output with it, and the stores fence on it. */
  readonly runId: string
  readonly reason: RunReason
  readonly leaseUntilEpochMs: number
  /**
   * Throws `IdempotencyLeaseLostError` once this run's lease has ended: another run may hold the partition. The
   * write helpers call it before each batch, so a run that outlived its lease stops writing.
   */
  assertHeld(): void
  /**
   * What the store opened for this run's writes, committed with its completion or not at all: DynamoDB collects
   * TransactWriteItems, PostgreSQL opens a transaction. The helpers ask for it (`postgresJobTransaction(run)`).
   */
  writes<TWrites = unknown>(): TWrites
  /** Runs `task` once the run's completion has committed (cleanup of what it superseded); failures are kept. */
  afterCommit(task: () => Promise<void>): void
}

export type JobOutcome<TSummary> =
  | {
      readonly kind: 'ran'
      readonly runId: string
      readonly reason: RunReason
      readonly summary: TSummary
      /** What the after-commit tasks threw: the run committed, and the partition's next run cleans up again. */
      readonly afterCommitErrors?: readonly unknown[]
    }
  /** This input version completed before and the run was not forced: no work, the stored summary. */
  | {
      readonly kind: 'replayed'
      readonly runId: string
      readonly summary: TSummary
      readonly completedAtEpochMs: number
    }

export interface PipelineJob<TSummary> {
  /**
   * Runs `work` for one partition, or replays the summary of the run that completed it. Throws
   * `PartitionBusyError` (code `in-progress`) while another run holds the partition; whatever `work` throws,
   * after giving the claim back (nothing it wrote through `run.writes()` commits).
   */
  run(
    invocation: JobInvocation,
    work: (run: JobRun) => Promise<TSummary>,
    context?: LambdaContextLike,
  ): Promise<JobOutcome<TSummary>>
}

/**
 * A job whose runs can be retried, re-run, forced and backfilled: each (job, partition, input version) runs once
 * and its summary is replayed after. The claim is stored under the partition's key, whatever the input version,
 * so one partition has one writer at a time.
 *
 * - A re-run of a completed partition (same input version) replays its summary: no work, no writes.
 * - A crash midway leaves the claim to its lease; the next run takes over and writes the partition again, and
 *   nothing the crashed run wrote through `run.writes()` was committed.
 * - A zombie (a run past its lease) is refused at its completion (`IdempotencyLeaseLostError`), and its writes
 *   joined to the completion with it; `run.assertHeld()` stops its other writes.
 * - Two concurrent runs of one partition: one runs, the other gets `PartitionBusyError`. `force` never takes
 *   over a live run.
 *
 * @example
 * ```ts
 * const dailyTotals = pipelineJob<{ rows: number }>({ store: new DynamoDBJobStore(), name: 'daily-totals' })
 * export const handler = (event: { date: string; force?: boolean }, context: Context) =>
 *   dailyTotals.run({ partition: event.date, force: event.force }, async (run) => writeTotals(run), context)
 * ```
 */
export function pipelineJob<TSummary>(options: PipelineJobOptions): PipelineJob<TSummary> {
  refuseUnknownOptions(options, JOB_OPTION_NAMES, 'pipelineJob')
  checkLeaseMs(options.leaseMs)
  const { store, name } = options
  if (typeof name !== 'string' || name === '' || name.includes('#'))
    throw new TypeError(
      `pipelineJob needs a name without '#' (it is part of each partition's key), got '${name}'`,
    )
  const now = options.now ?? Date.now

  function leaseMsFor(context: LambdaContextLike | undefined): number {
    const remainingMs = context?.getRemainingTimeInMillis?.()
    if (remainingMs === undefined) return options.leaseMs ?? DEFAULT_JOB_LEASE_MS
    return Math.max(options.leaseMs ?? 0, remainingMs + LEASE_MARGIN_MS)
  }

  async function run(
    invocation: JobInvocation,
    work: (run: JobRun) => Promise<TSummary>,
    context?: LambdaContextLike,
  ): Promise<JobOutcome<TSummary>> {
    const { partition, inputVersion = '', force = false } = invocation
    if (typeof partition !== 'string' || partition === '')
      throw new TypeError(`A run of job '${name}' needs a partition (a non-empty string)`)
    const startEpochMs = now()
    const claim: JobClaim = {
      key: jobKeyOf(name, partition),
      inputVersion,
      force,
      token: randomUUID(),
      leaseUntilEpochMs: startEpochMs + leaseMsFor(context),
    }
    const { claimed, existing } = await store.claim(claim, startEpochMs)
    const decision = decideJob(existing, claim, startEpochMs)
    if (claimed) {
      // A claim that landed after its own lease ended (a slow or retried write) holds nothing: never run on it.
      if (now() >= claim.leaseUntilEpochMs) throw new PartitionBusyError(name, partition, 0)
      // The state the claim replaced was read as its write began: one changed in between is a takeover.
      const reason = decision.kind === 'run' ? decision.reason : 'takeover'
      return hold(claim, { job: name, partition, reason }, work)
    }
    switch (decision.kind) {
      case 'replay':
        return {
          kind: 'replayed',
          runId: decision.completed.token,
          summary: JSON.parse(decision.completed.summary) as TSummary,
          completedAtEpochMs: decision.completed.completedAtEpochMs,
        }
      case 'conflict':
        throw new PartitionBusyError(name, partition, decision.retryAfterMs)
      case 'run':
        // Refused, yet allowed by the state that refused it: the partition changed in between. Retry.
        throw new PartitionBusyError(name, partition, 0)
      default:
        return assertNever(decision)
    }
  }

  async function hold(
    claim: JobClaim,
    names: { job: string; partition: string; reason: RunReason },
    work: (run: JobRun) => Promise<TSummary>,
  ): Promise<JobOutcome<TSummary>> {
    let writes: unknown
    const tasks: (() => Promise<void>)[] = []
    let state: 'held' | 'settled' = 'held'
    const handle: JobRun = {
      ...names,
      inputVersion: claim.inputVersion,
      runId: claim.token,
      leaseUntilEpochMs: claim.leaseUntilEpochMs,
      assertHeld() {
        if (state !== 'held' || now() >= claim.leaseUntilEpochMs)
          throw new IdempotencyLeaseLostError('complete')
      },
      writes<TWrites>() {
        handle.assertHeld()
        if (store.openWrites === undefined)
          throw new TypeError(`${store.constructor.name} cannot join a run's writes to its completion`)
        writes ??= store.openWrites({ key: claim.key, token: claim.token, assertWritable: handle.assertHeld })
        return writes as TWrites
      },
      afterCommit: (task) => {
        tasks.push(task)
      },
    }
    let summary: TSummary
    let stored: string
    try {
      summary = await work(handle)
      // Serialised here, so a summary JSON cannot hold (a bigint) gives the claim back like any failure.
      stored = JSON.stringify(summary ?? null)
    } catch (error) {
      state = 'settled'
      // The work's error is the one to raise; a failed release leaves the claim to its lease.
      await store.release(claim, writes).catch(() => undefined)
      throw error
    }
    state = 'settled'
    try {
      await store.complete(claim, stored, now(), writes)
    } catch (error) {
      // Lease lost or store outage: the claim stays to its lease; nothing more is written now.
      if (isIdempotencyError(error)) throw error
      // The run's own writes were refused (their conditions, a constraint): nothing committed, so give it back.
      await store.release(claim).catch(() => undefined)
      throw error
    }
    const afterCommitErrors: unknown[] = []
    for (const task of tasks) await task().catch((error: unknown) => afterCommitErrors.push(error))
    return {
      kind: 'ran',
      runId: claim.token,
      reason: names.reason,
      summary,
      ...(afterCommitErrors.length > 0 && { afterCommitErrors }),
    }
  }

  return { run }
}

/** The key of a partition's runs: readable, since job names and partitions are the operator's, not a client's. */
export function jobKeyOf(job: string, partition: string): string {
  return `pipeline-run#${job}#${partition}`
}

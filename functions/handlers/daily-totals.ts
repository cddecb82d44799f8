import type { LambdaContextLike } from '../../lib/index.js'
import { pipelineJob, type RunReason } from '../../lib/pipelines/index.js'
import type { DailyTotals } from '../shared/daily-totals.js'
import { DAILY_TOTALS_JOB } from '../shared/daily-totals-schema.js'

/** What EventBridge Scheduler sends: nothing (yesterday, in UTC), or a date for a backfill; `force` re-runs it. */
export interface DailyTotalsEvent {
  readonly date?: string
  readonly force?: boolean
}

/** What the job answers: the day, how many currency rows it holds, and the run that wrote them. */
export interface DailyTotalsSummary {
  readonly date: string
  readonly rows: number
  /** The run whose rows the day shows: this one, or the earlier one replayed. */
  readonly runId: string
  /** `ran`: this invocation wrote the day; `replayed`: the day was done for this input, nothing ran. */
  readonly outcome: 'ran' | 'replayed'
  /** Why it ran: `first`, `forced`, `new-input`, or `takeover` of a run that died holding the day. */
  readonly reason?: RunReason
  /** When the replayed run completed, epoch milliseconds. */
  readonly completedAtEpochMs?: number
}

/** What a run stores for its replays: small, as the job store keeps it in one item. */
type StoredSummary = { readonly rows: number }

/**
 * How the job computes a day. Bump it after a fix to how totals are counted: a backfill with the new version
 * re-runs every date once, where `force` would re-run them on every invocation.
 */
export const DAILY_TOTALS_INPUT_VERSION = 'v1'

/**
 * 5 min: a day of the sample's payments totals in seconds. Under Lambda the lease is at least the invocation's
 * remaining time, so a run is never taken over while it can still be running.
 */
export const DAILY_TOTALS_LEASE_MS = 5 * 60_000

export interface DailyTotalsOptions {
  readonly leaseMs?: number
  /** Epoch milliseconds: which day is yesterday, and the job's lease clock. @default Date.now */
  readonly now?: () => number
}

/** Local only: die after writing this many rows, before the run completes (`POST /_local/jobs/daily-totals`). */
export interface LocalCrash {
  readonly crashAfterRows?: number
}

/** The event's date is not a calendar date `YYYY-MM-DD`: nothing ran. */
export class InvalidDateError extends TypeError {
  constructor(date: unknown) {
    super(`date must be a calendar date, YYYY-MM-DD (UTC), got ${JSON.stringify(date)}`)
    this.name = 'InvalidDateError'
  }
}

/** The event's `force` is not a boolean, or it has a field the job does not take: nothing ran. */
export class InvalidJobEventError extends TypeError {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidJobEventError'
  }
}

const EVENT_FIELDS = ['date', 'force']

/** A backfill's `"force": "true"` or `forced: true` would otherwise replay the day unforced, and say nothing. */
function checkEvent(event: object): void {
  const unknown = Object.keys(event).filter((name) => !EVENT_FIELDS.includes(name))
  if (unknown.length > 0)
    throw new InvalidJobEventError(`The daily totals job takes date and force, not ${unknown.join(', ')}`)
  const { force } = event as { force?: unknown }
  if (force !== undefined && typeof force !== 'boolean')
    throw new InvalidJobEventError(`force must be true or false, got ${JSON.stringify(force)}`)
}

/** The run was killed on purpose after writing `rows` rows: it completed nothing, and its claim is given back. */
export class SimulatedCrash extends Error {
  constructor(readonly rows: number) {
    super(`The run was killed after writing ${rows} rows; none of them is visible. Run the date again.`)
    this.name = 'SimulatedCrash'
  }
}

/**
 * The daily settlement totals job: one UTC day's succeeded payments, totalled per currency, replacing that day's
 * rows. Runs under `pipelineJob`: a day run again replays its summary, a forced run replaces it, a run that died
 * is taken over, and two runs of one day never write at once (the second gets `PartitionBusyError`). However a
 * date is run, its rows are those of one clean run.
 */
export function dailyTotalsJob(totals: DailyTotals, options: DailyTotalsOptions = {}) {
  const now = options.now ?? Date.now
  const job = pipelineJob<StoredSummary>({
    store: totals.store,
    name: DAILY_TOTALS_JOB,
    leaseMs: options.leaseMs ?? DAILY_TOTALS_LEASE_MS,
    now,
  })

  return async function runDailyTotals(
    event: DailyTotalsEvent | null | undefined,
    context?: LambdaContextLike,
    local: LocalCrash = {},
  ): Promise<DailyTotalsSummary> {
    // Only a date left out means yesterday: `null` is a date lost on its way (a backfill's), refused below.
    const date = event?.date === undefined ? yesterdayOf(now()) : event.date
    if (!isCalendarDate(date)) throw new InvalidDateError(date)
    if (event != null) checkEvent(event)
    const force = event?.force === true
    const outcome = await job.run(
      { partition: date, inputVersion: DAILY_TOTALS_INPUT_VERSION, force },
      async (run) => {
        const rows = await totals.totalsOf(date)
        if (local.crashAfterRows !== undefined) {
          const written = rows.slice(0, local.crashAfterRows)
          await totals.write(run, date, written, false)
          throw new SimulatedCrash(written.length)
        }
        await totals.write(run, date, rows, true)
        return { rows: rows.length }
      },
      context,
    )
    const summary = { date, rows: outcome.summary.rows, runId: outcome.runId, outcome: outcome.kind }
    return outcome.kind === 'ran'
      ? { ...summary, reason: outcome.reason }
      : { ...summary, completedAtEpochMs: outcome.completedAtEpochMs }
  }
}

/** The UTC day before `epochMs`: the last whole day when the schedule fires after midnight UTC. */
export function yesterdayOf(epochMs: number): string {
  return new Date(epochMs - 86_400_000).toISOString().slice(0, 10)
}

/** `YYYY-MM-DD` naming a real day: `2024-02-30` is refused, not rolled over to March. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const parsed = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value
}

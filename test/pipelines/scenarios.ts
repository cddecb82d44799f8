import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isIdempotencyError } from '../../lib/errors.js'
import {
  type JobOutcome,
  type JobRun,
  type JobStore,
  type PipelineJob,
  pipelineJob,
} from '../../lib/pipelines/index.js'

/** A run's summary: how many rows it wrote. */
export interface Summary {
  readonly rows: number
}

/** One backend and one write pattern, as the scenarios drive them. */
export interface ScenarioSubject<TRow> {
  readonly store: JobStore
  /**
   * Writes `rows` as the date's partition. `finish: false` stops before the step that makes them visible (the
   * pointer switch, the view swap), as a run that crashes after writing them would.
   */
  write(run: JobRun, date: string, rows: readonly TRow[], finish: boolean): Promise<void>
  /** The date's rows as a reader sees them, in a stable order. */
  read(date: string): Promise<unknown[]>
  /** One clean run's rows for the date. */
  rowsFor(date: string): TRow[]
  /** What a crash does to the run's open writes: PostgreSQL's connection drops, so its transaction rolls back. */
  crash?(run: JobRun): Promise<void>
}

/** A lease the tests step past to stand for a crashed run's lease ending. */
export const LEASE_MS = 60_000

/** Jobs of one name on one test clock that only moves when a test steps it past a lease. */
export function jobOn<TRow>(subject: ScenarioSubject<TRow>) {
  let nowMs = Date.now()
  const now = () => nowMs
  const name = `totals-${randomUUID()}`
  const jobs: PipelineJob<Summary>[] = [subject.store, crashing(subject.store)].map((store) =>
    pipelineJob({ store, name, leaseMs: LEASE_MS, now }),
  )
  const run = (date: string, options: RunOptions = {}) =>
    (options.crashAfterRows === undefined ? jobs[0] : jobs[1])?.run(
      { partition: date, force: options.force },
      async (handle) => {
        const rows = subject.rowsFor(date)
        if (options.crashAfterRows !== undefined) {
          await subject.write(handle, date, rows.slice(0, options.crashAfterRows), false)
          await subject.crash?.(handle)
          throw new Crash()
        }
        options.onStart?.()
        await options.hold
        await subject.write(handle, date, rows, true)
        return { rows: rows.length }
      },
    ) as Promise<JobOutcome<Summary>>
  return { run, passLease: () => (nowMs += LEASE_MS + 1) }
}

interface RunOptions {
  readonly force?: boolean
  /** Write this many rows, then die: the claim is not given back, the open writes are lost. */
  readonly crashAfterRows?: number
  /** Called once the run holds its date; the run then waits for `hold` before writing. */
  readonly onStart?: () => void
  readonly hold?: Promise<void>
}

/** Stands for the process dying: the wrapper must not give the claim back, so the tests' stores ignore it. */
export class Crash extends Error {}

/** A job store whose release does nothing, as when the process died before it could give the claim back. */
export function crashing(store: JobStore): JobStore {
  return Object.assign(Object.create(store) as JobStore, { release: async () => undefined })
}

const sorted = (rows: readonly unknown[]) =>
  [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))

/** Re-run ×3, crash midway, forced, concurrent and backfill: each leaves exactly the rows of one clean run. */
export function describeRerunScenarios<TRow>(name: string, subjectOf: () => ScenarioSubject<TRow>): void {
  describe(`${name}: every way of running a date leaves the rows of one clean run`, () => {
    const clean = (subject: ScenarioSubject<TRow>, date: string) => sorted(subject.rowsFor(date) as unknown[])

    it('runs a date three times: the first writes, the next two replay its summary and write nothing', async () => {
      const subject = subjectOf()
      const { run } = jobOn(subject)
      const outcomes = [await run('2024-01-15'), await run('2024-01-15'), await run('2024-01-15')]
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(['ran', 'replayed', 'replayed'])
      expect(outcomes[2]?.summary).toEqual({ rows: subject.rowsFor('2024-01-15').length })
      expect(sorted(await subject.read('2024-01-15'))).toEqual(clean(subject, '2024-01-15'))
    })

    it('re-runs a date whose run crashed midway, once its lease ends, over what the crash left', async () => {
      const subject = subjectOf()
      const { run, passLease } = jobOn(subject)
      await expect(run('2024-01-16', { crashAfterRows: 2 })).rejects.toBeInstanceOf(Crash)
      // The crashed run's claim still holds the date until its lease ends.
      await expect(run('2024-01-16')).rejects.toSatisfy((error) => isIdempotencyError(error, 'in-progress'))
      passLease()
      expect(await run('2024-01-16')).toMatchObject({ kind: 'ran', reason: 'takeover' })
      expect(sorted(await subject.read('2024-01-16'))).toEqual(clean(subject, '2024-01-16'))
    })

    it('runs a finished date again when forced, and replaces its rows instead of adding to them', async () => {
      const subject = subjectOf()
      const { run } = jobOn(subject)
      await run('2024-01-17')
      expect(await run('2024-01-17', { force: true })).toMatchObject({ kind: 'ran', reason: 'forced' })
      expect(await run('2024-01-17', { force: true })).toMatchObject({ kind: 'ran', reason: 'forced' })
      expect(sorted(await subject.read('2024-01-17'))).toEqual(clean(subject, '2024-01-17'))
    })

    it('lets one of two concurrent runs of a date write it, and answers the other that the date is busy', async () => {
      const subject = subjectOf()
      const { run } = jobOn(subject)
      let firstRun: Promise<unknown> | undefined
      let release: () => void = () => undefined
      const hold = new Promise<void>((resolve) => {
        release = resolve
      })
      const started = new Promise<void>((onStart) => {
        const first = run('2024-01-18', { hold, onStart })
        firstRun = first
      })
      await started
      // The first run holds the date: the second is refused, forced or not, and writes nothing.
      await expect(run('2024-01-18', { force: true })).rejects.toSatisfy((error) =>
        isIdempotencyError(error, 'in-progress'),
      )
      release()
      expect(await firstRun).toMatchObject({ kind: 'ran' })
      expect(sorted(await subject.read('2024-01-18'))).toEqual(clean(subject, '2024-01-18'))
    })

    it('backfills five dates in parallel, each its own partition, and a second backfill only replays', async () => {
      const subject = subjectOf()
      const { run } = jobOn(subject)
      const dates = ['2024-02-01', '2024-02-02', '2024-02-03', '2024-02-04', '2024-02-05']
      const first = await Promise.all(dates.map((date) => run(date)))
      expect(first.map((outcome) => outcome.kind)).toEqual(dates.map(() => 'ran'))
      const second = await Promise.all(dates.map((date) => run(date)))
      expect(second.map((outcome) => outcome.kind)).toEqual(dates.map(() => 'replayed'))
      for (const date of dates) expect(sorted(await subject.read(date))).toEqual(clean(subject, date))
    })
  })
}

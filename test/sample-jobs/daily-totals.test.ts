import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dailyTotalsJob, SimulatedCrash } from '../../functions/handlers/daily-totals.js'
import type { DailyTotals } from '../../functions/shared/daily-totals.js'
import { isIdempotencyError } from '../../lib/errors.js'
import type { JobStore } from '../../lib/pipelines/index.js'
import { PostgresRunTransaction } from '../../lib/pipelines/postgres/index.js'
import { rollBack } from '../../lib/postgres/lazy-transaction.js'
import { testPool } from '../support/postgres.js'
import {
  dynamoDBBackend,
  expectedTotals,
  type JobBackend,
  paymentsAround,
  postgresBackend,
} from './backends.js'

const pool = testPool()
afterAll(() => pool.end())

const busy = (error: unknown) => isIdempotencyError(error, 'in-progress')

/** The process died: the claim is not given back, and a PostgreSQL run's connection drops (a rollback). */
function diedHolding(store: JobStore): JobStore {
  return Object.assign(Object.create(store) as JobStore, {
    release: async (_claim: unknown, writes?: unknown) => {
      if (writes instanceof PostgresRunTransaction) await rollBack(writes, 'the process died')
    },
  })
}

describe.each([
  ['DynamoDB', dynamoDBBackend],
  ['PostgreSQL', () => postgresBackend(pool)],
] as const)('the daily totals job on %s', (_name, backendOf) => {
  let backend: JobBackend
  let totals: DailyTotals
  beforeAll(async () => {
    backend = await backendOf()
    totals = backend.totals
  })
  afterAll(() => backend?.drop())

  /** Payments around the date, recorded; returns what one clean run of the date must leave. Tests take dates
   * two days apart: each date's payments spill one onto the days either side. */
  async function paidOn(date: string) {
    const payments = paymentsAround(date)
    await backend.pay(payments)
    return expectedTotals(payments, date)
  }

  it('runs a date three times: the first writes its totals, the next two replay them and write nothing', async () => {
    const clean = await paidOn('2024-05-01')
    const run = dailyTotalsJob(totals)
    const outcomes = [
      await run({ date: '2024-05-01' }),
      await run({ date: '2024-05-01' }),
      await run({ date: '2024-05-01' }),
    ]
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['ran', 'replayed', 'replayed'])
    expect(new Set(outcomes.map((outcome) => outcome.runId)).size).toBe(1)
    expect(outcomes[0]).toMatchObject({ date: '2024-05-01', rows: clean.length, reason: 'first' })
    expect(clean.map((row) => row.currency)).toEqual(['EUR', 'INR', 'USD'])
    expect(await totals.read('2024-05-01')).toEqual(clean)
  })

  it('leaves no row of a run killed midway, and its re-run writes exactly one clean run’s rows', async () => {
    const clean = await paidOn('2024-05-03')
    const run = dailyTotalsJob(totals)
    await expect(run({ date: '2024-05-03' }, undefined, { crashAfterRows: 2 })).rejects.toBeInstanceOf(
      SimulatedCrash,
    )
    expect(await totals.read('2024-05-03')).toEqual([])
    expect(await run({ date: '2024-05-03' })).toMatchObject({ outcome: 'ran', rows: clean.length })
    expect(await totals.read('2024-05-03')).toEqual(clean)
  })

  it('keeps a date from a process that died holding it until its lease ends, then takes it over cleanly', async () => {
    const clean = await paidOn('2024-05-05')
    let nowMs = Date.parse('2024-05-06T02:00:00Z')
    const options = { leaseMs: 60_000, now: () => nowMs }
    const dying = dailyTotalsJob({ ...totals, store: diedHolding(totals.store) }, options)
    const run = dailyTotalsJob(totals, options)
    await run({ date: '2024-05-05' })
    // A forced re-run with no date (yesterday by the clock, 2024-05-05, as the scheduler sends it) dies after one
    // row: the first run's rows stand, and the date is held until the dead run's lease ends.
    await expect(dying({ force: true }, undefined, { crashAfterRows: 1 })).rejects.toBeInstanceOf(
      SimulatedCrash,
    )
    await expect(run({ date: '2024-05-05', force: true })).rejects.toSatisfy(busy)
    expect(await totals.read('2024-05-05')).toEqual(clean)
    nowMs += 60_001
    expect(await run({ date: '2024-05-05', force: true })).toMatchObject({
      outcome: 'ran',
      reason: 'takeover',
    })
    expect(await totals.read('2024-05-05')).toEqual(clean)
  })

  it('re-runs a finished date when forced, replacing its rows with the payments as they are now', async () => {
    const clean = await paidOn('2024-05-09')
    const run = dailyTotalsJob(totals)
    await run({ date: '2024-05-09' })
    expect(await run({ date: '2024-05-09', force: true })).toMatchObject({ outcome: 'ran', reason: 'forced' })
    expect(await totals.read('2024-05-09')).toEqual(clean)
    // A payment that arrived late: the forced run counts it once, and adds no row beside the old ones.
    const late = paymentsAround('2024-05-09').slice(0, 1)
    await backend.pay(late)
    const withLate = clean.map((row) =>
      row.currency === 'INR' ? { ...row, count: row.count + 1, amount: row.amount + 6_000_000 } : row,
    )
    expect(await run({ date: '2024-05-09', force: true })).toMatchObject({ outcome: 'ran', reason: 'forced' })
    expect(await totals.read('2024-05-09')).toEqual(withLate)
  })

  it('lets one of two concurrent runs of a date write it, and answers the other that the date is busy', async () => {
    const clean = await paidOn('2024-05-11')
    let started: () => void = () => undefined
    let release: () => void = () => undefined
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    // The first run reads the payments only once the second has been refused.
    const slow = dailyTotalsJob({
      ...totals,
      totalsOf: async (day) => {
        started()
        await held
        return totals.totalsOf(day)
      },
    })
    const first = slow({ date: '2024-05-11' })
    await running
    await expect(dailyTotalsJob(totals)({ date: '2024-05-11', force: true })).rejects.toSatisfy(busy)
    release()
    expect(await first).toMatchObject({ outcome: 'ran', rows: clean.length })
    expect(await totals.read('2024-05-11')).toEqual(clean)
  })

  it('backfills five dates in parallel, each its own partition, and a second backfill only replays', async () => {
    const dates = ['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04', '2024-06-05']
    const payments = dates.flatMap(paymentsAround)
    await backend.pay(payments)
    const run = dailyTotalsJob(totals)
    const first = await Promise.all(dates.map((date) => run({ date })))
    expect(first.map((summary) => summary.outcome)).toEqual(dates.map(() => 'ran'))
    const second = await Promise.all(dates.map((date) => run({ date })))
    expect(second.map((summary) => summary.outcome)).toEqual(dates.map(() => 'replayed'))
    // Each date's payments, and its neighbours' spilling over midnight, counted on their own UTC day only.
    for (const date of dates) expect(await totals.read(date)).toEqual(expectedTotals(payments, date))
  })

  it('shows what the job prevents: a plain append run twice doubles the day’s rows', async () => {
    const clean = await paidOn('2024-05-13')
    for (let run = 0; run < 2; run++) await totals.append('2024-05-13', await totals.totalsOf('2024-05-13'))
    expect(await totals.readAppended('2024-05-13')).toEqual(clean.flatMap((row) => [row, row]))
  })
})

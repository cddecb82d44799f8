import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  migratePipelineRuns,
  PostgresJobStore,
  postgresJobTransaction,
  postgresViewSwap,
} from '../../lib/pipelines/postgres/index.js'
import { rollBack } from '../../lib/postgres/lazy-transaction.js'
import { createTestSchema, dropTestSchema, testPool } from '../support/postgres.js'
import { describeRerunScenarios } from './scenarios.js'
import { TOTALS_COLUMNS, type TotalsRow, totalsFor } from './support.js'

const pool = testPool()
let schema: string

beforeAll(async () => {
  schema = await createTestSchema(pool, 'swap')
  await migratePipelineRuns(pool, { tableName: `${schema}.pipeline_runs` })
  await pool.query(`CREATE TABLE "${schema}".totals_shape (${TOTALS_COLUMNS})`)
})
afterAll(async () => {
  await dropTestSchema(pool, schema)
  await pool.end()
})

/** One view per date here, so each date of the scenarios is a table readers switch over whole. */
const swapFor = (date: string, options: { lockTimeoutMs?: number; attempts?: number } = {}) =>
  postgresViewSwap({
    view: `${schema}.totals_${date.replaceAll('-', '')}`,
    like: `${schema}.totals_shape`,
    ...options,
  })

async function read(date: string) {
  const view = `"${schema}".totals_${date.replaceAll('-', '')}`
  if ((await pool.query('SELECT to_regclass($1) AS found', [view])).rows[0]?.found === null) return []
  return (
    await pool.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, currency, payments, amount_cents FROM ${view}`,
    )
  ).rows
}

/** Run tables of a date's view, superseded or live. */
const runTables = async (date: string) =>
  (
    await pool.query(
      `SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = $1 AND relname LIKE $2`,
      [schema, `totals_${date.replaceAll('-', '')}\\_\\_%`],
    )
  ).rowCount

describeRerunScenarios<TotalsRow>(
  'atomic swap behind a view on PostgreSQL, in the run’s transaction',
  () => ({
    store: new PostgresJobStore({ pool, tableName: `${schema}.pipeline_runs` }),
    write: async (run, date, rows, finish) => {
      const swap = swapFor(date)
      const transaction = postgresJobTransaction(run)
      const staged = await swap.stage(transaction, run.runId)
      await swap.fill(transaction, staged, rows)
      if (!finish) return
      await swap.swap(transaction, staged)
      run.afterCommit(async () => void (await swap.dropSuperseded(pool)))
    },
    read,
    rowsFor: totalsFor,
    crash: (run) => rollBack(postgresJobTransaction(run), 'crashed'),
  }),
)

describe('atomic swap behind a view on PostgreSQL', () => {
  async function stageAndSwap(date: string, rows: readonly TotalsRow[], options = {}) {
    const swap = swapFor(date, options)
    const staged = await swap.stage(pool, randomUUID())
    await swap.fill(pool, staged, rows)
    return { swap, previous: await swap.swap(pool, staged) }
  }

  it('keeps one table per view after forced re-runs: superseded ones are dropped once the switch commits', async () => {
    await stageAndSwap('2024-05-01', totalsFor('2024-05-01'))
    const { swap, previous } = await stageAndSwap('2024-05-01', totalsFor('2024-05-01'))
    expect(previous).toMatch(/totals_20240501__[0-9a-f]{12}"$/)
    expect(await runTables('2024-05-01')).toBe(2)
    expect(await swap.dropSuperseded(pool)).toBe(1)
    expect(await runTables('2024-05-01')).toBe(1)
    expect(await read('2024-05-01')).toHaveLength(4)
  })

  it('gives up its switch under lock_timeout while a long reader holds the view, never queueing other readers', async () => {
    await stageAndSwap('2024-05-02', totalsFor('2024-05-02'))
    const reader = await pool.connect()
    try {
      await reader.query('BEGIN')
      await reader.query(`SELECT count(*) FROM "${schema}".totals_20240502`)
      const waiting = stageAndSwap('2024-05-02', [], { lockTimeoutMs: 200, attempts: 3 })
      // While the switch waits for its lock, other readers still read: it never sits in the lock queue for long.
      expect(await read('2024-05-02')).toHaveLength(4)
      await expect(waiting).rejects.toMatchObject({ code: '55P03' })
      expect(await read('2024-05-02')).toHaveLength(4)
    } finally {
      await reader.query('COMMIT')
      reader.release()
    }
    await stageAndSwap('2024-05-02', [])
    expect(await read('2024-05-02')).toEqual([])
  })

  it('refuses a view name too long to name its run tables after, and a staged name it did not make', async () => {
    expect(() => postgresViewSwap({ view: 'v'.repeat(50), like: 'shape' })).toThrow(/too long/)
    await expect(swapFor('2024-05-03').swap(pool, 'pg_catalog.pg_class')).rejects.toThrow(
      /Not a table staged/,
    )
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  mergeRows,
  migratePipelineRuns,
  PostgresJobStore,
  postgresJobTransaction,
} from '../../lib/pipelines/postgres/index.js'
import { rollBack } from '../../lib/postgres/lazy-transaction.js'
import { createTestSchema, dropTestSchema, testPool } from '../support/postgres.js'
import { describeRerunScenarios } from './scenarios.js'
import { SELECT_TOTALS, TOTALS_COLUMNS, type TotalsRow, totalsFor } from './support.js'

const pool = testPool()
let schema: string
let table: string
const key = ['day', 'currency']

beforeAll(async () => {
  schema = await createTestSchema(pool, 'merge')
  table = `${schema}.daily_totals`
  await migratePipelineRuns(pool, { tableName: `${schema}.pipeline_runs` })
  // A merge needs its natural key unique: ON CONFLICT names the index that enforces it.
  await pool.query(`CREATE TABLE ${table} (${TOTALS_COLUMNS}, PRIMARY KEY (day, currency))`)
})
afterAll(async () => {
  await dropTestSchema(pool, schema)
  await pool.end()
})

const read = async (date: string) => (await pool.query(SELECT_TOTALS(table), [date])).rows

describeRerunScenarios<TotalsRow>('merge on a natural key on PostgreSQL, in the run’s transaction', () => ({
  store: new PostgresJobStore({ pool, tableName: `${schema}.pipeline_runs` }),
  write: async (run, _date, rows) => {
    await mergeRows(postgresJobTransaction(run), { table, key }, rows)
  },
  read,
  rowsFor: totalsFor,
  crash: (run) => rollBack(postgresJobTransaction(run), 'crashed'),
}))

describe('merge on a natural key on PostgreSQL, without a job', () => {
  /** The transaction id that last wrote each row: unchanged when a merge left the row alone. */
  const writers = async (date: string) =>
    (
      await pool.query(`SELECT currency, xmin::text AS xmin FROM ${table} WHERE day = $1 ORDER BY currency`, [
        date,
      ])
    ).rows

  it('rewrites only the rows whose values changed, and keeps rows the merge does not name', async () => {
    const rows = totalsFor('2024-04-01')
    expect(await mergeRows(pool, { table, key }, rows)).toBe(4)
    const before = await writers('2024-04-01')
    expect(await mergeRows(pool, { table, key }, rows)).toBe(0)
    expect(await writers('2024-04-01')).toEqual(before)
    const late = { ...(rows[0] as TotalsRow), payments: 99 }
    expect(await mergeRows(pool, { table, key }, [late])).toBe(1)
    expect(await read('2024-04-01')).toEqual(expect.arrayContaining([late, ...rows.slice(1)]))
    expect(await read('2024-04-01')).toHaveLength(4)
  })

  it('keeps the last of two rows with one key, where a single statement would refuse both', async () => {
    const [first] = totalsFor('2024-04-02') as [TotalsRow]
    await mergeRows(pool, { table, key }, [first, { ...first, payments: 7 }])
    expect(await read('2024-04-02')).toEqual([{ ...first, payments: 7 }])
  })

  it('refuses a row without its key, and a key column that is not a plain name', async () => {
    await expect(mergeRows(pool, { table, key }, [{ day: '2024-04-03' }])).rejects.toThrow(/lacks its key/)
    await expect(mergeRows(pool, { table, key: ['day"; DROP TABLE x; --'] }, [])).rejects.toThrow(
      /column name/,
    )
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  migratePipelineRuns,
  PostgresJobStore,
  type PostgresQueryable,
  postgresJobTransaction,
  replacePartition,
} from '../../lib/pipelines/postgres/index.js'
import { rollBack } from '../../lib/postgres/lazy-transaction.js'
import { createTestSchema, dropTestSchema, testPool } from '../support/postgres.js'
import { describeRerunScenarios } from './scenarios.js'
import { SELECT_TOTALS, TOTALS_COLUMNS, type TotalsRow, totalsFor } from './support.js'

const pool = testPool()
let schema: string
let table: string

beforeAll(async () => {
  schema = await createTestSchema(pool, 'replace')
  table = `${schema}.daily_totals`
  await migratePipelineRuns(pool, { tableName: `${schema}.pipeline_runs` })
  await pool.query(`CREATE TABLE ${table} (${TOTALS_COLUMNS})`)
})
afterAll(async () => {
  await dropTestSchema(pool, schema)
  await pool.end()
})

const read = async (date: string) => (await pool.query(SELECT_TOTALS(table), [date])).rows

describeRerunScenarios<TotalsRow>('partition replace on PostgreSQL, in the run’s transaction', () => ({
  store: new PostgresJobStore({ pool, tableName: `${schema}.pipeline_runs` }),
  write: async (run, date, rows) => {
    await replacePartition(postgresJobTransaction(run), { table, partition: { day: date } }, rows)
  },
  read,
  rowsFor: totalsFor,
  // The process died: its connection closes, and the server rolls its transaction back.
  crash: (run) => rollBack(postgresJobTransaction(run), 'crashed'),
}))

describe('partition replace on PostgreSQL, without a job', () => {
  it('shows what it prevents: a plain append run twice doubles the date’s rows', async () => {
    const append = async () => {
      for (const row of totalsFor('2024-03-01'))
        await pool.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4)`, Object.values(row))
    }
    await append()
    await append()
    expect(await read('2024-03-01')).toHaveLength(2 * totalsFor('2024-03-01').length)
    await replacePartition(pool, { table, partition: { day: '2024-03-01' } }, totalsFor('2024-03-01'))
    expect(await read('2024-03-01')).toHaveLength(totalsFor('2024-03-01').length)
  })

  it('makes two concurrent replaces of one date take turns, leaving one run’s rows', async () => {
    const rows = totalsFor('2024-03-02')
    await Promise.all(
      [1, 2, 3].map(() => replacePartition(pool, { table, partition: { day: '2024-03-02' } }, rows)),
    )
    expect(await read('2024-03-02')).toHaveLength(rows.length)
  })

  it('refuses a row of another date before writing anything', async () => {
    const stray = [...totalsFor('2024-03-03'), ...totalsFor('2024-03-04')]
    await expect(replacePartition(pool, { table, partition: { day: '2024-03-03' } }, stray)).rejects.toThrow(
      /outside the partition/,
    )
    expect(await read('2024-03-03')).toEqual([])
  })

  it('writes 10,000 rows in two statements, not one per row', async () => {
    const statements: string[] = []
    const counting: PostgresQueryable = {
      query: (text, values) => {
        statements.push(text.split(' ')[0] ?? '')
        return pool.query(text, values)
      },
    }
    const rows = Array.from({ length: 10_000 }, (_, index) => ({
      day: '2024-03-05',
      currency: `C${index}`,
      payments: index,
      amount_cents: index,
    }))
    expect(await replacePartition(counting, { table, partition: { day: '2024-03-05' } }, rows)).toEqual({
      deleted: 0,
      inserted: 10_000,
    })
    expect(statements).toEqual(['SELECT', 'DELETE', 'INSERT', 'INSERT'])
    expect(await read('2024-03-05')).toHaveLength(10_000)
  })
})

import {
  migratePipelineRuns,
  PostgresJobStore,
  postgresJobTransaction,
  replacePartition,
} from '../../lib/pipelines/postgres/index.js'
import type { PostgresPool } from '../../lib/postgres/index.js'
import { quotedTableName } from '../../lib/postgres/schema.js'
import { type CurrencyTotal, type DailyTotals, TotalOutOfRangeError } from './daily-totals.js'

/** The tables the job uses on PostgreSQL, `name` or `schema.name` each. */
export interface PostgresDailyTotalsTables {
  /** Made by `ensurePostgresPaymentTables`, with its `day` column and index. */
  readonly payments: string
  readonly dailyTotals: string
  /** The job's runs (`migratePipelineRuns`). */
  readonly pipelineRuns: string
}

export const DEFAULT_POSTGRES_DAILY_TOTALS_TABLES = {
  dailyTotals: 'daily_totals',
  pipelineRuns: 'pipeline_runs',
} as const

/** The demo's counter-example beside the job's table: no key, as an append-only table has none. */
const appendedOf = (dailyTotals: string) => quotedTableName(`${dailyTotals}_append`)

/**
 * The job's runs and its totals, if missing. One row per (day, currency): a doubled row would break the key, so
 * an append that ran twice fails loudly here instead of doubling a settlement.
 */
export async function ensurePostgresDailyTotalsTables(pool: PostgresPool, tables: PostgresDailyTotalsTables) {
  await migratePipelineRuns(pool, { tableName: tables.pipelineRuns })
  await pool.query(`CREATE TABLE IF NOT EXISTS ${quotedTableName(tables.dailyTotals)} (
  day date NOT NULL,
  currency text NOT NULL,
  count integer NOT NULL,
  amount bigint NOT NULL,
  PRIMARY KEY (day, currency)
)`)
  await pool.query(`CREATE TABLE IF NOT EXISTS ${appendedOf(tables.dailyTotals)} (
  day date NOT NULL, currency text NOT NULL, count integer NOT NULL, amount bigint NOT NULL
)`)
}

interface TotalRow {
  readonly currency: string
  /** `count(*)` and `sum(bigint)` come back as strings: bigint and numeric. */
  readonly count: string
  readonly amount: string
}

/**
 * On PostgreSQL: a day's payments are totalled by the server through the `day` index; the day's rows are
 * replaced (DELETE + INSERT) in the run's own transaction, which commits with the run's record or not at all.
 */
export function postgresDailyTotals(pool: PostgresPool, tables: PostgresDailyTotalsTables): DailyTotals {
  const payments = quotedTableName(tables.payments)
  const dailyTotals = quotedTableName(tables.dailyTotals)
  const appended = appendedOf(tables.dailyTotals)
  return {
    store: new PostgresJobStore({ pool, tableName: tables.pipelineRuns }),
    async totalsOf(day) {
      const { rows } = await pool.query(
        `SELECT currency, count(*) AS count, sum(amount) AS amount FROM ${payments}
WHERE day = $1 AND status = 'succeeded' GROUP BY currency ORDER BY currency COLLATE "C"`,
        [day],
      )
      return (rows as TotalRow[]).map(totalOf)
    },
    async write(run, day, rows) {
      // Unpublished or not, the rows are in the run's transaction: nobody sees them until it commits.
      await replacePartition(
        postgresJobTransaction(run),
        { table: tables.dailyTotals, partition: { day } },
        rows,
      )
    },
    async read(day) {
      const { rows } = await pool.query(
        `SELECT currency, count, amount FROM ${dailyTotals} WHERE day = $1 ORDER BY currency COLLATE "C"`,
        [day],
      )
      return (rows as TotalRow[]).map(totalOf)
    },
    async append(day, rows) {
      for (const row of rows)
        await pool.query(`INSERT INTO ${appended} VALUES ($1, $2, $3, $4)`, [
          day,
          row.currency,
          row.count,
          row.amount,
        ])
    },
    async readAppended(day) {
      const { rows } = await pool.query(
        `SELECT currency, count, amount FROM ${appended} WHERE day = $1 ORDER BY currency COLLATE "C"`,
        [day],
      )
      return (rows as TotalRow[]).map(totalOf)
    },
  }
}

function totalOf(row: TotalRow): CurrencyTotal {
  const amount = Number(row.amount)
  if (!Number.isSafeInteger(amount)) throw new TotalOutOfRangeError(row.currency)
  return { currency: row.currency, count: Number(row.count), amount }
}

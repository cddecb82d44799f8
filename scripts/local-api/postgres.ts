import { unmarshall } from '@aws-sdk/util-dynamodb'
import pg from 'pg'
import type { DailyTotals } from '../../functions/shared/daily-totals.js'
import {
  DEFAULT_POSTGRES_DAILY_TOTALS_TABLES,
  ensurePostgresDailyTotalsTables,
  postgresDailyTotals,
} from '../../functions/shared/daily-totals-postgres.js'
import type { PaymentRecords } from '../../functions/shared/payment-records.js'
import {
  DEFAULT_POSTGRES_PAYMENT_TABLES,
  ensurePostgresPaymentTables,
  type PostgresPaymentTables,
  postgresPaymentRecords,
} from '../../functions/shared/postgres-payments.js'
import { toItem } from '../../lib/dynamodb/item.js'
import { fromRow, type RecordRow } from '../../lib/postgres/row.js'
import { quotedTableName } from '../../lib/postgres/schema.js'
import { startPostgresLocal } from '../postgres-local.js'
import type { RecordSource } from './console/state.js'

export interface LocalPostgresOptions {
  /** A PostgreSQL that is already running (`DATABASE_URL`); a throwaway one is started when absent. */
  readonly url?: string
  /** Creates the tables in this schema (made if missing) rather than in the database's default one. */
  readonly schema?: string
}

export interface LocalPostgres {
  readonly url: string
  readonly tables: PostgresPaymentTables
  /** create-payment's records and payments on PostgreSQL. */
  readonly records: PaymentRecords
  /** The daily totals job's runs and rows, beside the payments it reads. */
  readonly dailyTotals: DailyTotals
  /** The console's view of the idempotency table. */
  readonly consoleRecords: RecordSource
  /** Settles if the PostgreSQL this started exits; undefined for one at `url`. */
  readonly databaseExited?: Promise<void>
  stop(): Promise<void>
}

/** create-payment on PostgreSQL for the local API: the server, the tables, and the records over them. */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const server = options.url === undefined ? await startPostgresLocal() : undefined
  const url = options.url ?? (server?.url as string)
  const pool = new pg.Pool({ connectionString: url })
  // An idle client's connection can drop (a restarted server); the next checkout reconnects.
  pool.on('error', () => undefined)
  const stop = async () => {
    await pool.end()
    await server?.stop()
  }
  try {
    const prefix = options.schema === undefined ? '' : `${options.schema}.`
    const tables = {
      idempotency: `${prefix}${DEFAULT_POSTGRES_PAYMENT_TABLES.idempotency}`,
      payments: `${prefix}${DEFAULT_POSTGRES_PAYMENT_TABLES.payments}`,
    }
    if (options.schema !== undefined)
      await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quotedTableName(options.schema)}`)
    await ensurePostgresPaymentTables(pool, tables)
    const totalsTables = {
      payments: tables.payments,
      dailyTotals: `${prefix}${DEFAULT_POSTGRES_DAILY_TOTALS_TABLES.dailyTotals}`,
      pipelineRuns: `${prefix}${DEFAULT_POSTGRES_DAILY_TOTALS_TABLES.pipelineRuns}`,
    }
    await ensurePostgresDailyTotalsTables(pool, totalsTables)
    const table = quotedTableName(tables.idempotency)
    return {
      url,
      tables,
      records: postgresPaymentRecords(pool, tables),
      dailyTotals: postgresDailyTotals(pool, totalsTables),
      async consoleRecords() {
        const { rows } = await pool.query(`SELECT * FROM ${table}`)
        // As the DynamoDB items the console reads, in the plain values lib-dynamodb would hand back.
        return rows.map((row) => unmarshall(toItem(fromRow(row as RecordRow))))
      },
      databaseExited: server?.exited,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { pipelineJob } from '../lib/pipelines/index.js'
import {
  migratePipelineRuns,
  PostgresJobStore,
  postgresJobTransaction,
  replacePartition,
} from '../lib/pipelines/postgres/index.js'
import { insertRows } from '../lib/pipelines/postgres/sql.js'
import type { PostgresPool, PostgresPoolClient } from '../lib/postgres/pool.js'
import {
  type BackendResult,
  BENCH_DAY,
  benchRows,
  PIPELINE_REPETITIONS,
  repeated,
  type StepResult,
  tally,
} from './pipelines.js'

/** A statement's label: its first keyword (`INSERT`, `DELETE`, `BEGIN`; the advisory lock is a `SELECT`). */
const labelOf = (text: string) => {
  const keyword = text.trim().split(/\s+/, 1)[0]?.toUpperCase() ?? '?'
  // The job store's claim is one statement opening with a CTE: name it for what it does.
  return keyword === 'WITH' ? 'claim' : keyword
}

/**
 * The pool the job and the helpers are given, counting every statement sent through it or through a client it
 * lends: each one round trip on a warm connection. The measuring queries (WAL position, row counts) go through
 * the real pool and are not counted.
 */
function countingPool(pool: pg.Pool): { pool: PostgresPool; statements: string[] } {
  const statements: string[] = []
  const counted: PostgresPool = {
    query(text, values) {
      statements.push(labelOf(text))
      return pool.query(text, values)
    },
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect()
      return {
        query(text, values) {
          statements.push(labelOf(text))
          return client.query(text, values)
        },
        release: (error) => client.release(error),
      }
    },
  }
  return { pool: counted, statements }
}

async function walPosition(pool: pg.Pool): Promise<string> {
  return (await pool.query('SELECT pg_current_wal_insert_lsn() AS lsn')).rows[0].lsn
}

async function walBytesSince(pool: pg.Pool, since: string): Promise<number> {
  const { rows } = await pool.query(
    'SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::bigint AS bytes',
    [since],
  )
  return Number(rows[0].bytes)
}

/**
 * The four steps on PostgreSQL, in a schema of their own: the job replaces the day with `replacePartition` in
 * its run's transaction; the naive job inserts the same rows again, with the helpers' own batched INSERT, so the
 * two differ only in the pattern.
 */
async function measureOnce(pool: pg.Pool): Promise<StepResult[]> {
  const schema = `bench_pipelines_${randomUUID().replaceAll('-', '')}`
  const table = `${schema}.daily_rows`
  const appended = `${schema}.daily_rows_appended`
  // No unique key, as in most warehouse tables: a duplicate row shows as a row.
  const columns =
    'day date NOT NULL, row_id text NOT NULL, currency text NOT NULL, payments integer NOT NULL, amount_cents bigint NOT NULL'
  await pool.query(`CREATE SCHEMA ${schema}`)
  try {
    await pool.query(`CREATE TABLE ${table} (${columns})`)
    await pool.query(`CREATE TABLE ${appended} (${columns})`)
    const runsTable = `${schema}.pipeline_runs`
    await migratePipelineRuns(pool, { tableName: runsTable })
    const rows = benchRows().map((row) => ({
      day: BENCH_DAY,
      row_id: row.rowId,
      currency: row.currency,
      payments: row.payments,
      amount_cents: row.amountCents,
    }))
    const counted = countingPool(pool)
    const job = pipelineJob<{ inserted: number; deleted: number }>({
      store: new PostgresJobStore({ pool: counted.pool, tableName: runsTable }),
      name: 'bench-totals',
    })
    const rowsIn = async (name: string) =>
      Number((await pool.query(`SELECT count(*) AS n FROM ${name} WHERE day = $1`, [BENCH_DAY])).rows[0].n)

    const step = async (
      stepName: StepResult['step'],
      work: () => Promise<{ outcome: string; inserted: number; deleted: number }>,
      rowsAfter: () => Promise<number>,
    ): Promise<StepResult> => {
      counted.statements.length = 0
      const since = await walPosition(pool)
      const startedMs = performance.now()
      const { outcome, inserted, deleted } = await work()
      const ms = performance.now() - startedMs
      const walBytes = await walBytesSince(pool, since)
      return {
        step: stepName,
        outcome,
        ms,
        calls: counted.statements.length,
        callsByName: tally(counted.statements),
        units: [inserted, deleted, walBytes / 1024],
        rowsAfter: await rowsAfter(),
      }
    }
    const replace = (force: boolean) => async () => {
      const outcome = await job.run({ partition: BENCH_DAY, force }, (run) =>
        replacePartition(postgresJobTransaction(run), { table, partition: { day: BENCH_DAY } }, rows),
      )
      // A replayed run wrote nothing; its summary is the first run's.
      return outcome.kind === 'ran'
        ? { outcome: 'ran', ...outcome.summary }
        : { outcome: 'replayed', inserted: 0, deleted: 0 }
    }
    // The naive job: the helpers' batched INSERT (5,000 rows a statement, each committing on its own), no claim.
    const append = async () => ({
      outcome: 'append',
      inserted: await insertRows(counted.pool, appended, rows),
      deleted: 0,
    })

    const steps = [
      await step('first run', replace(false), () => rowsIn(table)),
      await step('re-run', replace(false), () => rowsIn(table)),
      await step('forced re-run', replace(true), () => rowsIn(table)),
    ]
    await append()
    steps.push(await step('append, run again', append, () => rowsIn(appended)))
    return steps
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
  }
}

export async function measurePostgresPipelines(url: string, where: string): Promise<BackendResult> {
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  pool.on('error', () => undefined)
  try {
    return {
      backend: 'PostgreSQL, replacePartition in a PostgresJobStore job',
      where,
      unitNames: ['rows inserted', 'rows deleted', 'WAL (KB)'],
      unitNotes: [
        'Calls are SQL statements, each one round trip on a warm pooled connection: the claim, BEGIN, the advisory lock (SELECT), the DELETE, one INSERT per 5,000 rows, the completion and COMMIT.',
        "Rows are replacePartition's own counts; WAL is what the step wrote to the log (`pg_current_wal_insert_lsn` before and after): what a replica, or Aurora's storage, must take.",
        'A re-run that replays is one refused claim and one read of the run: no row is touched.',
      ],
      steps: await repeated(PIPELINE_REPETITIONS.postgres, () => measureOnce(pool)),
    }
  } finally {
    await pool.end()
  }
}

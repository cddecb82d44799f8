import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { migrate } from '../lib/postgres/index.js'
import { startPostgresLocal } from '../scripts/postgres-local.js'
import { benchEnv, type Counted, PATHS } from './postgres-paths.js'

/** One path of one request on PostgreSQL: what the library asked of the store, and what went over the wire. */
export interface PostgresPathRow {
  /** The same names as bench/calls.ts, to stand next to DynamoDB's row. */
  readonly path: string
  readonly storeCalls: readonly string[]
  /** Every statement sent, in order: each one round trip (on a warm pooled connection). */
  readonly statements: readonly string[]
  /** Transactions committed: each statement sent outside a transaction, and each COMMIT. */
  readonly commits: number
  /** WAL the request wrote, averaged over the repetitions: what a replica or Aurora's storage must take. */
  readonly walBytes: number
}

/** How many times each path is repeated for its WAL average; the counts are the same every time. */
const REPETITIONS = 20

/** DATABASE_URL when set, otherwise a throwaway PostgreSQL started for this run. */
export async function benchPostgres(): Promise<{ url: string; where: string; stop(): Promise<void> }> {
  const existing = process.env.DATABASE_URL
  if (existing) return { url: existing, where: 'DATABASE_URL', stop: async () => undefined }
  const db = await startPostgresLocal()
  return { url: db.url, where: 'embedded PostgreSQL 18, fsync and full_page_writes off', stop: db.stop }
}

async function walPosition(pool: pg.Pool): Promise<string> {
  return (await pool.query('SELECT pg_current_wal_insert_lsn() AS lsn')).rows[0].lsn
}

async function walSince(pool: pg.Pool, since: string): Promise<number> {
  const { rows } = await pool.query(
    'SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), $1)::bigint AS bytes',
    [since],
  )
  return Number(rows[0].bytes)
}

/** Every path once for its counts, then `REPETITIONS` times for its WAL, against a fresh schema. */
export async function measurePostgres(url: string): Promise<PostgresPathRow[]> {
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  pool.on('error', () => undefined)
  const schema = `bench_${randomUUID().replaceAll('-', '')}`
  try {
    await pool.query(`CREATE SCHEMA ${schema}`)
    const tableName = `${schema}.idempotency_records`
    const payments = `${schema}.payments`
    await migrate(pool, { tableName })
    await pool.query(
      `CREATE TABLE ${payments} (payment_id text PRIMARY KEY, owner text NOT NULL, amount bigint NOT NULL)`,
    )
    const rows: PostgresPathRow[] = []
    for (const { path, prepare } of PATHS) {
      let walBytes = 0
      let first: Counted | undefined
      for (let repetition = 0; repetition < REPETITIONS; repetition++) {
        const env = benchEnv(pool, tableName, payments)
        const prepared = await prepare(env)
        env.counted.statements.length = 0
        env.counted.storeCalls.length = 0
        const since = await walPosition(pool)
        await prepared.run()
        walBytes += await walSince(pool, since)
        first ??= {
          ...env.counted,
          statements: [...env.counted.statements],
          storeCalls: [...env.counted.storeCalls],
        }
        await prepared.after?.()
      }
      const statements = first?.statements ?? []
      rows.push({
        path,
        storeCalls: first?.storeCalls ?? [],
        statements,
        commits: commitsOf(statements),
        walBytes: Math.round(walBytes / REPETITIONS),
      })
    }
    return rows
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined)
    await pool.end()
  }
}

/** Statements inside BEGIN … COMMIT commit once, at COMMIT; the others each commit on their own. */
function commitsOf(statements: readonly string[]): number {
  let commits = 0
  let open = false
  for (const label of statements) {
    if (label === 'BEGIN') open = true
    else if (label === 'ROLLBACK') open = false
    else if (label === 'COMMIT' || !open) {
      commits++
      open = false
    }
  }
  return commits
}

import type { PostgresPool } from './pool.js'

/** The table the store uses unless told otherwise. */
export const DEFAULT_POSTGRES_TABLE = 'idempotency_records'

/**
 * `postgresql`: PostgreSQL 13 and later (RDS, Aurora PostgreSQL, self-managed). `dsql`: Aurora DSQL, which builds
 * indexes only asynchronously (`CREATE INDEX ASYNC`); not tested here, see docs/sql.md.
 */
export type PostgresDialect = 'postgresql' | 'dsql'

export interface PostgresSchemaOptions {
  /** `name` or `schema.name`. @default 'idempotency_records' */
  readonly tableName?: string
  /** @default 'postgresql' */
  readonly dialect?: PostgresDialect
}

/** PostgreSQL's identifier limit; longer names would be silently truncated. */
const MAX_IDENTIFIER_BYTES = 63
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The table name as SQL: each part checked (it is spliced into statements) and quoted. */
export function quotedTableName(tableName: string): string {
  return tableParts(tableName)
    .map((part) => `"${part}"`)
    .join('.')
}

function tableParts(tableName: string): string[] {
  const parts = tableName.split('.')
  const valid =
    parts.length <= 2 && parts.every((part) => IDENTIFIER.test(part) && part.length <= MAX_IDENTIFIER_BYTES)
  if (!valid)
    throw new TypeError(
      `PostgreSQL table name ${JSON.stringify(tableName)} must be name or schema.name, each of letters, digits and underscores, at most ${MAX_IDENTIFIER_BYTES} characters`,
    )
  return parts
}

/**
 * The schema's statements, in order, each safe to run again (IF NOT EXISTS). One DDL statement each, outside any
 * transaction: Aurora DSQL allows one DDL per transaction and none beside DML.
 */
export function idempotencySchemaStatements(options: PostgresSchemaOptions = {}): string[] {
  const tableName = options.tableName ?? DEFAULT_POSTGRES_TABLE
  const table = quotedTableName(tableName)
  const parts = tableParts(tableName)
  const index = `"${`${parts[parts.length - 1]}_expires_at`.slice(0, MAX_IDENTIFIER_BYTES)}"`
  const createIndex =
    options.dialect === 'dsql' ? 'CREATE INDEX ASYNC IF NOT EXISTS' : 'CREATE INDEX IF NOT EXISTS'
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  key text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
  token text NOT NULL,
  fingerprint text NOT NULL,
  expires_at_epoch_seconds bigint NOT NULL,
  lease_until_epoch_ms bigint,
  completed_at_epoch_ms bigint,
  result_encoding text,
  result_text text,
  result_bytes bytea
)`,
    `${createIndex} ${index} ON ${table} (expires_at_epoch_seconds)`,
  ]
}

/** The shipped migration file's text for these options: what `sql/postgres/001_idempotency.sql` holds. */
export function idempotencySchemaSql(options: PostgresSchemaOptions = {}): string {
  return `${idempotencySchemaStatements(options).join(';\n\n')};\n`
}

/**
 * Creates the table and its retention index if missing: safe to run on every deploy or cold start. Each
 * statement runs on its own, so it works where DDL cannot share a transaction (Aurora DSQL).
 */
export async function migrate(pool: PostgresPool, options: PostgresSchemaOptions = {}): Promise<void> {
  for (const statement of idempotencySchemaStatements(options)) await pool.query(statement)
}

export interface CleanupOptions {
  /** @default 'idempotency_records' */
  readonly tableName?: string
  /** At most this many records per call. @default 1000 */
  readonly limit?: number
  /** The cleaner's clock. @default Date.now() */
  readonly nowEpochMs?: number
  /**
   * Records are deleted only once expired for at least this long, on the cleaner's clock: a cleaner whose clock
   * runs ahead of the claiming Lambdas' by less than this never deletes a record they still replay.
   * @default 300
   */
  readonly clockSkewMarginSeconds?: number
}

/**
 * Expiry is decided by two clocks: claims and reads use the claiming Lambda's, deletion the cleaner's (or the
 * database's). Clocks kept by NTP usually differ by milliseconds; five minutes also covers a badly drifting host
 * or database, and costs nothing but a few minutes' longer storage against retentions of hours.
 */
const DEFAULT_CLOCK_SKEW_MARGIN_SECONDS = 300

/**
 * The retention cleanup: deletes up to `limit` records past their retention (and the clock-skew margin), oldest
 * first, and returns how many. PostgreSQL has no TTL; schedule this (EventBridge Scheduler and a small Lambda, or
 * pg_cron) and call it until it returns less than `limit`. A batch can come back short while expired rows remain,
 * when claims re-took some of the rows it picked: the next scheduled run deletes the rest. Reads never depend on
 * it: an expired record already counts as absent.
 */
export async function deleteExpiredRecords(
  pool: PostgresPool,
  options: CleanupOptions = {},
): Promise<number> {
  const table = quotedTableName(options.tableName ?? DEFAULT_POSTGRES_TABLE)
  const marginSeconds = options.clockSkewMarginSeconds ?? DEFAULT_CLOCK_SKEW_MARGIN_SECONDS
  if (!Number.isInteger(marginSeconds) || marginSeconds < 0)
    throw new RangeError(
      `clockSkewMarginSeconds must be a whole number of seconds, 0 or more: ${marginSeconds}`,
    )
  const expiredBeforeEpochSeconds = Math.floor((options.nowEpochMs ?? Date.now()) / 1000) - marginSeconds
  // The expiry test is on the deleted row itself, not only in the sub-select: under READ COMMITTED, a row that a
  // claim re-took meanwhile is re-checked against the outer WHERE alone, so a sub-select's test would let the
  // DELETE remove that fresh claim, and the client's retry would run beside the first request.
  const { rowCount } = await pool.query(
    `DELETE FROM ${table} WHERE expires_at_epoch_seconds <= $1 AND key IN (
  SELECT key FROM ${table} WHERE expires_at_epoch_seconds <= $1 ORDER BY expires_at_epoch_seconds LIMIT $2)`,
    [expiredBeforeEpochSeconds, options.limit ?? DEFAULT_CLEANUP_BATCH],
  )
  return rowCount ?? 0
}

/** Small batches keep each delete short (row locks, WAL) and under Aurora DSQL's 3,000 rows per transaction. */
const DEFAULT_CLEANUP_BATCH = 1_000

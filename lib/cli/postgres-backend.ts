import type { PostgresPool } from '../postgres/pool.js'
import { quotedTableName } from '../postgres/schema.js'
import { PostgresStore } from '../postgres/store.js'
import type { IdempotencyRecord } from '../record.js'
import { type DeleteFence, type RecordBackend, type ScannedItem, withPeer } from './backend.js'
import { connectionCause, explainPostgresError } from './postgres-errors.js'
import type { PostgresWhere } from './postgres-where.js'

/** Rows per scan query unless --page-size says otherwise: about 200 KB, since the results stay behind. */
const DEFAULT_PAGE_ROWS = 1_000
/** One query at a time, except the not-found hint's reads of the key under other namespaces. */
const MAX_CONNECTIONS = 4
/** A host that drops packets (security group, no VPN) never answers; an operator should not wait longer. */
const CONNECT_TIMEOUT_MS = 10_000

interface SummaryRow {
  readonly key: string
  readonly status: string
  readonly expires_at_epoch_seconds: string
  readonly lease_until_epoch_ms: string | null
  readonly completed_at_epoch_ms: string | null
}

/**
 * The CLI's backend on the PostgreSQL store's table: reads go through `PostgresStore` itself (its statement,
 * its row mapping); the fenced delete and the scan are the CLI's own. The table name was checked by
 * `chooseStore` and is quoted here; every value is a parameter.
 */
export async function postgresBackend(where: PostgresWhere): Promise<RecordBackend> {
  const pg = await withPeer('pg', 'pg, the PostgreSQL client', () => import('pg'))
  const pool = new (pg.default ?? pg).Pool({
    connectionString: where.databaseUrl,
    max: MAX_CONNECTIONS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'lambda-idempotency-cli',
  })
  // A connection the server drops while idle must not end the process with an unhandled 'error' event.
  pool.on('error', () => undefined)
  const store = new PostgresStore({ pool: pool as PostgresPool, tableName: where.table })
  const table = quotedTableName(where.table)
  const schema = where.table.includes('.') ? where.table.split('.')[0] : undefined
  const sql = {
    // Fenced like DynamoDB's DeleteItem: the row exactly as read (token, status, fingerprint, retention, lease
    // end or completion time), and an ended lease unless forced. The token alone is not enough: a completion
    // keeps it, and a durable execution writes the same token on each of its claims. `present` reads the row as
    // the statement began: nothing deleted and present means the row changed; absent, it was already gone.
    delete: `WITH deleted AS (
  DELETE FROM ${table} WHERE key = $1 AND token = $2 AND status = $3
    AND ($4::bigint IS NULL OR lease_until_epoch_ms <= $4)
    AND fingerprint = $5 AND expires_at_epoch_seconds = $6
    AND lease_until_epoch_ms IS NOT DISTINCT FROM $7 AND completed_at_epoch_ms IS NOT DISTINCT FROM $8
  RETURNING 1
)
SELECT (SELECT count(*) FROM deleted)::int AS deleted,
  EXISTS (SELECT 1 FROM ${table} WHERE key = $1) AS present`,
    // Keyset pages in key order, on the primary key's index; only what stats counts, never the results.
    firstPage: `SELECT key, status, expires_at_epoch_seconds, lease_until_epoch_ms, completed_at_epoch_ms
FROM ${table} ORDER BY key LIMIT $1`,
    nextPage: `SELECT key, status, expires_at_epoch_seconds, lease_until_epoch_ms, completed_at_epoch_ms
FROM ${table} WHERE key > $2 ORDER BY key LIMIT $1`,
    // The planner's row estimate, kept by ANALYZE and autovacuum: -1 (0 before PostgreSQL 14) when unknown.
    estimate: 'SELECT reltuples::bigint AS estimate FROM pg_class WHERE oid = to_regclass($1)',
  }

  /** Runs `work`; any failure becomes the operator's one line when it is theirs to fix. */
  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw (await explained(error)) ?? error
    }
  }

  async function explained(error: unknown) {
    let schemaMissing = false
    if (connectionCause(error)?.code === '42P01' && schema !== undefined)
      schemaMissing = await pool
        .query('SELECT NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS missing', [schema])
        .then(({ rows }) => rows[0]?.missing === true)
        .catch(() => false)
    return explainPostgresError(error, where, schemaMissing)
  }

  async function deleteFenced(record: IdempotencyRecord, fence: DeleteFence) {
    const leaseEndedBy =
      fence.leaseEndedBy !== undefined && record.status === 'IN_PROGRESS' ? fence.leaseEndedBy : null
    const { rows } = await pool.query(sql.delete, [
      record.key,
      record.token,
      record.status,
      leaseEndedBy,
      record.fingerprint,
      record.expiresAtEpochSeconds,
      record.status === 'IN_PROGRESS' ? record.leaseUntilEpochMs : null,
      record.status === 'COMPLETED' ? record.completedAtEpochMs : null,
    ])
    const row = rows[0] as { deleted: number; present: boolean }
    if (row.deleted > 0) return 'deleted' as const
    return row.present ? ('changed' as const) : ('gone' as const)
  }

  return {
    description: `PostgreSQL table ${where.table} in database ${where.database} at ${where.host}:${where.port}`,
    sampleOrder: 'the first rows in record-key order: namespaces by name, unrelated to age',
    parallelScan: false,
    read: (recordKey) => guarded(() => store.get(recordKey)),
    deleteFenced: (record, fence) => guarded(() => deleteFenced(record, fence)),
    scan: (request, onPage) =>
      guarded(async () => {
        const pageRows = request.pageSize ?? DEFAULT_PAGE_ROWS
        let read = 0
        let after: string | undefined
        for (;;) {
          const limit =
            request.maxItems === undefined ? pageRows : Math.min(pageRows, request.maxItems - read)
          const { rows } =
            after === undefined
              ? await pool.query(sql.firstPage, [limit])
              : await pool.query(sql.nextPage, [limit, after])
          read += rows.length
          // An empty last page adds nothing to show; an empty table still shows its 0.
          if (rows.length > 0 || read === 0) onPage((rows as SummaryRow[]).map(summaryOf))
          if (rows.length < limit || read === request.maxItems) return
          after = (rows.at(-1) as SummaryRow).key
        }
      }),
    approximateItemCount: () =>
      guarded(async () => {
        const { rows } = await pool.query(sql.estimate, [table])
        const estimate = Number(rows[0]?.estimate ?? -1)
        return estimate > 0 ? estimate : undefined
      }),
    close: () => pool.end(),
  }
}

/** The table's CHECK allows only the two statuses, so every row is a record; bigints come as strings. */
function summaryOf(row: SummaryRow): ScannedItem {
  return {
    kind: 'record',
    key: row.key,
    status: row.status as IdempotencyRecord['status'],
    expiresAtEpochSeconds: Number(row.expires_at_epoch_seconds),
    ...(row.lease_until_epoch_ms === null ? {} : { leaseUntilEpochMs: Number(row.lease_until_epoch_ms) }),
    ...(row.completed_at_epoch_ms === null ? {} : { completedAtEpochMs: Number(row.completed_at_epoch_ms) }),
  }
}

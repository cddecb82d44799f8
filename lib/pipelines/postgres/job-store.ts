import { IdempotencyLeaseLostError, IdempotencyStoreUnavailableError } from '../../errors.js'
import { asError, rollBack, takeClient } from '../../postgres/lazy-transaction.js'
import type { PostgresPool } from '../../postgres/pool.js'
import { quotedTableName } from '../../postgres/schema.js'
import {
  type JobClaim,
  type JobClaimResult,
  type JobState,
  type JobStore,
  type JobWritesClaim,
  runCompleted,
} from '../job-store.js'
import { PostgresRunTransaction } from './run-transaction.js'
import { DEFAULT_PIPELINE_RUNS_TABLE } from './schema.js'

export interface PostgresJobStoreOptions {
  /** A `pg` Pool (or anything with its `query` and `connect`); the store never ends it. */
  readonly pool: PostgresPool
  /** `name` or `schema.name`, created by `migratePipelineRuns`. @default 'pipeline_runs' */
  readonly tableName?: string
}

interface RunRow {
  key: string
  claim_input_version: string | null
  token: string | null
  lease_until_epoch_ms: string | number | null
  input_version: string | null
  summary: string | null
  completed_by: string | null
  completed_at_epoch_ms: string | number | null
}

/**
 * Partition runs on PostgreSQL: the claim is one `INSERT … ON CONFLICT DO UPDATE … WHERE` whose condition is
 * `decideJob` in SQL, so two claims cannot both win; completion and release are fenced by the run's token. A
 * run's writes go through a transaction (`postgresJobTransaction(run)`) that commits with its completion, so the
 * partition and the run's record commit together, or neither does.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * await migratePipelineRuns(pool)
 * const job = pipelineJob({ store: new PostgresJobStore({ pool }), name: 'daily-totals' })
 * ```
 */
export class PostgresJobStore implements JobStore<PostgresRunTransaction> {
  readonly tableName: string
  private readonly pool: PostgresPool
  private readonly sql: ReturnType<typeof statementsFor>

  constructor(options: PostgresJobStoreOptions) {
    if (options.pool === undefined)
      throw new TypeError('PostgresJobStore needs a pool: new PostgresJobStore({ pool })')
    this.pool = options.pool
    this.tableName = options.tableName ?? DEFAULT_PIPELINE_RUNS_TABLE
    this.sql = statementsFor(quotedTableName(this.tableName))
  }

  async claim(request: JobClaim, nowEpochMs: number): Promise<JobClaimResult> {
    const values = [request.key, request.inputVersion, request.token, request.leaseUntilEpochMs, nowEpochMs]
    const { rows } = await this.run('claim partition', () =>
      this.pool.query(this.sql.claim, [...values, request.force]),
    )
    const row = rows[0] as (RunRow & { claimed: boolean }) | undefined
    if (row?.claimed) return { claimed: true, existing: row.key ? stateFrom(row) : undefined }
    // The statement read the row as it began: one another claim committed in between refused this one unseen.
    return { claimed: false, existing: await this.get(request.key) }
  }

  /** The transaction a run writes through; it begins on its first query and commits with the completion. */
  openWrites(claim: JobWritesClaim): PostgresRunTransaction {
    return new PostgresRunTransaction(this.pool, claim)
  }

  async complete(
    claim: JobClaim,
    summary: string,
    nowEpochMs: number,
    writes?: PostgresRunTransaction,
  ): Promise<void> {
    const values = [claim.key, claim.token, claim.inputVersion, summary, nowEpochMs]
    const client = writes && (await takeClient(writes, 'committed with its run').catch(ended))
    if (client === undefined) {
      const { rowCount } = await this.run('complete run', () => this.pool.query(this.sql.complete, values))
      if (rowCount !== 1) await this.refused(claim)
      return
    }
    let updated: number | null
    try {
      updated = (await client.query(this.sql.complete, values)).rowCount
      await client.query(updated === 1 ? 'COMMIT' : 'ROLLBACK')
    } catch (error) {
      client.release(asError(error))
      // A statement of the run failed earlier (and was caught), or a deferred constraint failed at COMMIT: the
      // run's own error, nothing committed.
      if (/^(23|25P02)/.test(sqlState(error))) throw error
      if (runCompleted(await this.get(claim.key).catch(() => undefined), claim)) return
      throw new IdempotencyStoreUnavailableError('complete run', error)
    }
    client.release()
    if (updated !== 1) await this.refused(claim)
  }

  /** The fence refused a completion: done if this run completed the partition before, lost otherwise. */
  private async refused(claim: JobClaim): Promise<void> {
    if (!runCompleted(await this.get(claim.key), claim)) throw new IdempotencyLeaseLostError('complete')
  }

  async release(claim: JobClaim, writes?: PostgresRunTransaction): Promise<void> {
    if (writes !== undefined) await rollBack(writes, 'rolled back: its run was given up')
    const { rowCount } = await this.run('release run', () =>
      this.pool.query(this.sql.release, [claim.key, claim.token]),
    )
    if (rowCount === 1) return
    // Nothing left to release (released before, or completed) is success; another run's claim is not.
    if ((await this.get(claim.key))?.claim !== undefined) throw new IdempotencyLeaseLostError('release')
  }

  async get(key: string): Promise<JobState | undefined> {
    const { rows } = await this.run('get run', () => this.pool.query(this.sql.get, [key]))
    return rows[0] === undefined ? undefined : stateFrom(rows[0] as RunRow)
  }

  /** Runs one statement outside any transaction; any failure is the store being unavailable (fail closed). */
  private async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw new IdempotencyStoreUnavailableError(operation, error)
    }
  }
}

/**
 * The store's statements. Times come from the caller's clock as parameters (never `now()`), so the claim's
 * condition is `decideJob` exactly: the run's own claim, or no live claim and no completion it would replay.
 */
function statementsFor(table: string) {
  const COLUMNS =
    'key, claim_input_version, token, lease_until_epoch_ms, input_version, summary, completed_by, completed_at_epoch_ms'
  return {
    // $1 key, $2 input version, $3 token, $4 lease until (ms), $5 now (ms), $6 force. One row back: claimed or
    // not, with the row as it was before the claim (absent: the partition's first run).
    claim: `WITH existing AS (SELECT ${COLUMNS} FROM ${table} WHERE key = $1),
claimed AS (
  INSERT INTO ${table} AS r (key, claim_input_version, token, lease_until_epoch_ms) VALUES ($1, $2, $3, $4)
  ON CONFLICT (key) DO UPDATE SET claim_input_version = EXCLUDED.claim_input_version, token = EXCLUDED.token,
    lease_until_epoch_ms = EXCLUDED.lease_until_epoch_ms
  WHERE r.token = EXCLUDED.token
     OR ((r.lease_until_epoch_ms IS NULL OR r.lease_until_epoch_ms <= $5)
         AND ($6::boolean OR r.completed_by IS NULL OR r.input_version <> EXCLUDED.claim_input_version))
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM claimed) AS claimed, existing.* FROM (SELECT 1) AS one LEFT JOIN existing ON true`,
    // Fenced: only the run whose token holds the claim completes it.
    complete: `UPDATE ${table} SET input_version = $3, summary = $4, completed_by = $2, completed_at_epoch_ms = $5,
  claim_input_version = NULL, token = NULL, lease_until_epoch_ms = NULL
WHERE key = $1 AND token = $2`,
    release: `UPDATE ${table} SET claim_input_version = NULL, token = NULL, lease_until_epoch_ms = NULL
WHERE key = $1 AND token = $2`,
    get: `SELECT ${COLUMNS} FROM ${table} WHERE key = $1`,
  }
}

function stateFrom(row: RunRow): JobState {
  const held = row.token !== null && row.lease_until_epoch_ms !== null
  return {
    key: row.key,
    ...(row.completed_by !== null && {
      completed: {
        inputVersion: row.input_version ?? '',
        summary: row.summary ?? 'null',
        token: row.completed_by,
        completedAtEpochMs: Number(row.completed_at_epoch_ms ?? 0),
      },
    }),
    ...(held && {
      claim: {
        inputVersion: row.claim_input_version ?? '',
        token: row.token as string,
        leaseUntilEpochMs: Number(row.lease_until_epoch_ms),
      },
    }),
  }
}

const sqlState = (error: unknown): string => {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : ''
}

function ended(error: unknown): never {
  throw new IdempotencyStoreUnavailableError('complete run', error)
}

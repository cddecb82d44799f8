import { IdempotencyLeaseLostError, IdempotencyStoreUnavailableError, isIdempotencyError } from '../errors.js'
import {
  type CompletedRecord,
  completedBy,
  type IdempotencyRecord,
  type InProgressRecord,
  toEpochSeconds,
} from '../record.js'
import {
  type AcquireResult,
  type IdempotencyStore,
  type OwnWritesClaim,
  StoreWriteRefusedError,
} from '../store/interface.js'
import { asError, PostgresTransaction, rollBack, takeClient } from './lazy-transaction.js'
import type { PostgresPool, PostgresPoolClient } from './pool.js'
import { completionValues, fromRow, type RecordRow } from './row.js'
import { DEFAULT_POSTGRES_TABLE, quotedTableName } from './schema.js'
import { statementsFor } from './statements.js'

export interface PostgresStoreOptions {
  /** A `pg` Pool (or anything with its `query` and `connect`); the store never ends it. */
  readonly pool: PostgresPool
  /** `name` or `schema.name`, created by `migrate` or sql/postgres/001_idempotency.sql. @default 'idempotency_records' */
  readonly tableName?: string
  /**
   * The largest stored result in bytes, when the database limits a row (Aurora DSQL: 1 MiB a column): larger
   * results are recorded as not stored. @default no limit (PostgreSQL takes up to 1 GB a value)
   */
  readonly maxResultBytes?: number
}

/** A claim lost to a concurrent write under optimistic concurrency (Aurora DSQL) is tried again this often. */
const MAX_CLAIM_ATTEMPTS = 3

/**
 * The store on PostgreSQL (RDS, Aurora PostgreSQL): one statement per transition. The claim is a single
 * `INSERT … ON CONFLICT DO UPDATE … WHERE` whose condition is `decide` written in SQL, so two claims cannot both
 * win; completion and release are fenced by the token. The handler's own SQL runs in a transaction
 * (`postgresTransactionOf(context)`) that commits with the completion, or not at all.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * await migrate(pool)
 * export const handler = makeIdempotent(charge, { store: new PostgresStore({ pool }), key: (event) => event.id })
 * ```
 */
export class PostgresStore implements IdempotencyStore<PostgresTransaction> {
  readonly tableName: string
  readonly maxResultBytes?: number
  private readonly pool: PostgresPool
  private readonly sql: ReturnType<typeof statementsFor>

  constructor(options: PostgresStoreOptions) {
    if (options.pool === undefined)
      throw new TypeError('PostgresStore needs a pool: new PostgresStore({ pool })')
    this.pool = options.pool
    this.tableName = options.tableName ?? DEFAULT_POSTGRES_TABLE
    this.sql = statementsFor(quotedTableName(this.tableName))
    if (options.maxResultBytes !== undefined) this.maxResultBytes = options.maxResultBytes
  }

  async acquire(record: InProgressRecord, nowEpochMs: number): Promise<AcquireResult> {
    const values = [
      record.key,
      record.token,
      record.fingerprint,
      record.expiresAtEpochSeconds,
      record.leaseUntilEpochMs,
      toEpochSeconds(nowEpochMs),
      nowEpochMs,
    ]
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await this.pool.query(this.sql.acquire, values)
        const row = rows[0] as (RecordRow & { claimed: boolean }) | undefined
        if (row?.claimed) return { acquired: true }
        // The statement reads the table as it was when it began: a row another claim committed in between
        // refused this one without being visible to it. A fresh read sees it.
        const existing = row?.key ? fromRow(row) : await this.get(record.key)
        if (existing !== undefined) return { acquired: false, existing }
      } catch (error) {
        if (!(isSerializationFailure(error) && attempt < MAX_CLAIM_ATTEMPTS))
          throw isIdempotencyError(error, 'store-unavailable')
            ? error
            : new IdempotencyStoreUnavailableError('acquire', error)
        continue
      }
      // Refused, then gone (released meanwhile): claim again, within bounds.
      if (attempt >= MAX_CLAIM_ATTEMPTS)
        throw new IdempotencyStoreUnavailableError(
          'acquire',
          new Error('the key changed under every attempt'),
        )
    }
  }

  /** The transaction the handler writes through; it begins on its first query. */
  openOwnWrites(claim: OwnWritesClaim): PostgresTransaction {
    return new PostgresTransaction(this.pool, claim)
  }

  async discardOwnWrites(transaction: PostgresTransaction): Promise<void> {
    await rollBack(transaction, 'rolled back: its invocation was abandoned')
  }

  async complete(record: CompletedRecord, transaction?: PostgresTransaction): Promise<void> {
    const values = [record.key, record.token, ...completionValues(record)]
    const client =
      transaction && (await takeClient(transaction, 'committed with its completion').catch(ended))
    if (client === undefined) {
      const { rowCount } = await this.run('complete', () => this.pool.query(this.sql.complete, values))
      if (rowCount !== 1) await this.refused(record)
      return
    }
    await this.commitWith(client, record, values)
  }

  /** The fence refused a completion, so nothing was written: done if this token completed the record before. */
  private async refused(record: CompletedRecord): Promise<void> {
    if (!completedBy(await this.get(record.key), record.token))
      throw new IdempotencyLeaseLostError('complete')
  }

  async release(key: string, token: string, transaction?: PostgresTransaction): Promise<void> {
    if (transaction !== undefined) await rollBack(transaction, 'rolled back: its key was released')
    const { rowCount } = await this.run('release', () => this.pool.query(this.sql.release, [key, token]))
    if (rowCount === 1) return
    // Read afresh, not in the DELETE's own snapshot, which predates a completion it waited for. Nothing left to
    // release, or a record this token completed, is success; a record under another token is not.
    const existing = await this.get(key)
    if (existing !== undefined && !completedBy(existing, token))
      throw new IdempotencyLeaseLostError('release')
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    const { rows } = await this.run('get', () => this.pool.query(this.sql.get, [key]))
    return rows[0] === undefined ? undefined : fromRow(rows[0] as RecordRow)
  }

  async getMany(keys: readonly string[]): Promise<Map<string, IdempotencyRecord>> {
    if (keys.length === 0) return new Map()
    const { rows } = await this.run('getMany', () => this.pool.query(this.sql.getMany, [[...new Set(keys)]]))
    return new Map(rows.map((row) => fromRow(row as RecordRow)).map((record) => [record.key, record]))
  }

  /** The fenced update inside the handler's transaction, then COMMIT: both commit, or neither does. */
  private async commitWith(
    client: PostgresPoolClient,
    record: CompletedRecord,
    values: unknown[],
  ): Promise<void> {
    let updated: number | null
    try {
      updated = (await client.query(this.sql.complete, values)).rowCount
      if (updated === 1) await client.query('COMMIT')
      else await client.query('ROLLBACK')
    } catch (error) {
      client.release(asError(error))
      throw await this.completionError(record, error)
    }
    client.release()
    if (updated !== 1) await this.refused(record)
  }

  /** Nothing committed. Whose fault: the handler's writes, a lost lease, or the database? */
  private async completionError(record: CompletedRecord, error: unknown): Promise<Error> {
    const code = sqlState(error)
    // The handler's own statement failed earlier (and was caught), or a deferred constraint failed at COMMIT.
    if (code === '25P02' || code?.startsWith('23'))
      return new StoreWriteRefusedError('own-writes', `PostgreSQL ${code}: ${asError(error).message}`, {
        cause: error,
      })
    // Optimistic concurrency (Aurora DSQL) refuses the commit of a zombie whose key was taken over.
    if (isSerializationFailure(error)) {
      const holder = await this.get(record.key).catch(() => undefined)
      if (holder !== undefined && holder.token !== record.token)
        return new IdempotencyLeaseLostError('complete')
    }
    return new IdempotencyStoreUnavailableError('complete', error)
  }

  /** Runs a statement outside any transaction; any failure is the store being unavailable (fail closed). */
  private async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw new IdempotencyStoreUnavailableError(operation, error)
    }
  }
}

const sqlState = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && code.length === 5 ? code : undefined
}

/** 40001 serialization failure (Aurora DSQL's OC000/OC001 conflicts), 40P01 deadlock: nothing was written. */
const isSerializationFailure = (error: unknown) => ['40001', '40P01'].includes(sqlState(error) ?? '')

function ended(error: unknown): never {
  throw new IdempotencyStoreUnavailableError('complete', error)
}

import { IdempotencyStoreUnavailableError } from '../../errors.js'
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from '../../postgres/pool.js'
import type { JobRun } from '../job.js'
import type { JobWritesClaim } from '../job-store.js'

interface TransactionState {
  readonly pool: PostgresPool
  /** Set on the first query: a pooled client with BEGIN sent. */
  client?: Promise<PostgresPoolClient>
  /** Why no query may run any more: committed, rolled back. */
  finished?: string
}

/**
 * Kept outside the object, so a run sees only `query` and its claim. On globalThis: an app that loads both the
 * ESM and the CommonJS build must find from one copy a transaction the other made.
 */
const STATES = Symbol.for('lambda-idempotency.pipelines.postgres-run-transactions.v1')
const registry = globalThis as { [STATES]?: WeakMap<object, TransactionState> }
registry[STATES] ??= new WeakMap()
const states = registry[STATES]

/**
 * The transaction a run writes its partition through: it begins on the first `query`, on a client of the job
 * store's pool, and commits with the run's record, or rolls back with everything else (a throw, a lost lease, a
 * crash). Every statement is refused once the run's lease has ended.
 */
export class PostgresRunTransaction {
  constructor(
    pool: PostgresPool,
    /** The partition key and run id this transaction completes. */
    readonly claim: JobWritesClaim,
  ) {
    states.set(this, { pool })
  }

  /** Runs one statement inside the transaction (`$1`-style parameters), beginning it on the first call. */
  async query<TRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<PostgresQueryResult<TRow>> {
    const state = stateOf(this)
    this.claim.assertWritable()
    if (state.finished !== undefined) throw new Error(`This run's transaction is already ${state.finished}`)
    state.client ??= begin(state.pool)
    return (await state.client).query(text, values)
  }
}

function stateOf(transaction: PostgresRunTransaction): TransactionState {
  const state = states.get(transaction)
  if (state === undefined) throw new TypeError('Not a PostgresRunTransaction made by PostgresJobStore')
  return state
}

async function begin(pool: PostgresPool): Promise<PostgresPoolClient> {
  let client: PostgresPoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    throw new IdempotencyStoreUnavailableError('begin run transaction', error)
  }
  try {
    await client.query('BEGIN')
    return client
  } catch (error) {
    client.release(asError(error))
    throw new IdempotencyStoreUnavailableError('begin run transaction', error)
  }
}

/** Ends the transaction for good and returns its client, or undefined when the run never queried. */
export async function takeClient(
  transaction: PostgresRunTransaction,
  why: string,
): Promise<PostgresPoolClient | undefined> {
  const state = stateOf(transaction)
  if (state.finished !== undefined) throw new Error(`This run's transaction is already ${state.finished}`)
  state.finished = why
  return state.client
}

/** Rolls back and releases: nothing written through it commits. Never throws; a broken client is closed. */
export async function rollBack(transaction: PostgresRunTransaction, why: string): Promise<void> {
  const state = stateOf(transaction)
  if (state.finished !== undefined) return
  state.finished = why
  const client = await state.client?.catch(() => undefined)
  if (client === undefined) return
  try {
    await client.query('ROLLBACK')
    client.release()
  } catch (error) {
    // Closing the connection rolls the transaction back on the server as surely as ROLLBACK.
    client.release(asError(error))
  }
}

export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/**
 * The transaction a run of a `PostgresJobStore` job writes its partition through: it commits with the run's
 * record, or not at all, and refuses every statement once the run's lease has ended. Throws when the job's
 * store is not a `PostgresJobStore`.
 *
 * @example
 * ```ts
 * await replacePartition(postgresJobTransaction(run), { table: 'daily_totals', partition: { day } }, rows)
 * ```
 */
export function postgresJobTransaction(run: JobRun): PostgresRunTransaction {
  const writes = run.writes<object>()
  if (!states.has(writes))
    throw new TypeError("postgresJobTransaction(run) needs a PostgresJobStore as the job's store")
  return writes as PostgresRunTransaction
}

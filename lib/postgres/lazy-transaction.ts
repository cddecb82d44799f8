import { IdempotencyStoreUnavailableError } from '../errors.js'
import type { OwnWritesClaim } from '../store/interface.js'
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from './pool.js'

// The transaction own writes and pipeline runs both go through. `postgresTransactionOf` lives apart, in
// transaction.ts, so that lambda-idempotency/pipelines/postgres reaches no invocation handle, nor its packages.

interface TransactionState {
  readonly pool: PostgresPool
  /** Set on the first query: a pooled client with BEGIN sent. */
  client?: Promise<PostgresPoolClient>
  /** Why no query may run any more: committed, rolled back, given up. */
  finished?: string
}

/**
 * Kept outside the object, so handlers see only `query` and the claim. On globalThis, like the invocation handles:
 * an app that loads both the ESM and the CommonJS build must find from one copy a transaction the other made.
 */
const STATES = Symbol.for('lambda-idempotency.postgres-transactions.v1')
const registry = globalThis as { [STATES]?: WeakMap<object, TransactionState> }
registry[STATES] ??= new WeakMap()
const states = registry[STATES]

/**
 * The transaction a handler writes its business rows through: it commits in one transaction with the completed
 * idempotency record, or rolls back with everything else (a thrown error, a lost lease, a crash). It begins on
 * the first `query`, on a client of the store's pool, and is over once the handler's invocation settles: a query
 * after that throws rather than run outside it. A pipeline run's partition is written through the same kind of
 * transaction (`postgresJobTransaction(run)`), committed with the run's record.
 */
export class PostgresTransaction {
  constructor(
    pool: PostgresPool,
    /** The record key and token this transaction completes. */
    readonly claim: OwnWritesClaim,
  ) {
    states.set(this, { pool })
  }

  /** Runs one statement inside the transaction (`$1`-style parameters), beginning it on the first call. */
  async query<TRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<PostgresQueryResult<TRow>> {
    const state = stateOf(this)
    this.claim.assertWritable?.()
    if (state.finished !== undefined)
      throw new Error(`This idempotency transaction is already ${state.finished}; nothing more can join it`)
    state.client ??= begin(state.pool)
    const client = await state.client
    return client.query(text, values)
  }
}

function stateOf(transaction: PostgresTransaction): TransactionState {
  const state = states.get(transaction)
  if (state === undefined) throw new TypeError('Not a PostgresTransaction made by PostgresStore')
  return state
}

async function begin(pool: PostgresPool): Promise<PostgresPoolClient> {
  let client: PostgresPoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    throw new IdempotencyStoreUnavailableError('begin transaction', error)
  }
  try {
    await client.query('BEGIN')
    return client
  } catch (error) {
    client.release(asError(error))
    throw new IdempotencyStoreUnavailableError('begin transaction', error)
  }
}

/**
 * Ends the transaction for good and returns its client, or undefined when the handler never queried. Whoever
 * gets the client must release it.
 */
export async function takeClient(
  transaction: PostgresTransaction,
  why: string,
): Promise<PostgresPoolClient | undefined> {
  const state = stateOf(transaction)
  if (state.finished !== undefined)
    throw new Error(`This idempotency transaction is already ${state.finished}`)
  state.finished = why
  return state.client
}

/** Rolls back and releases: nothing written through it commits. Never throws; a broken client is closed. */
export async function rollBack(transaction: PostgresTransaction, why: string): Promise<void> {
  const state = stateOf(transaction)
  if (state.finished !== undefined) return
  let client: PostgresPoolClient | undefined
  try {
    client = await takeClient(transaction, why)
  } catch {
    return
  }
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

/** Whether `value` is a transaction a `PostgresStore` or a `PostgresJobStore` opened, from either build. */
export function isPostgresTransaction(value: unknown): value is PostgresTransaction {
  return typeof value === 'object' && value !== null && states.has(value)
}

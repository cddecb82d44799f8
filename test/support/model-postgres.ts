import type pg from 'pg'
import type { IdempotencyStore } from '../../lib/index.js'
import {
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  PostgresStore,
  postgresTransactionOf,
} from '../../lib/postgres/index.js'
import { type Attempt, type FaultHooks, type FaultKind, landsBeforeFailing } from './faults.js'
import type { ModelBackend } from './model-backend.js'

export interface PostgresModelOptions {
  /** A pool without faults: the store's statements pass through it, wrapped; the checks read through it. */
  readonly pool: pg.Pool
  readonly idempotencyTable: string
  /** `payment_id text PRIMARY KEY, charge_id text NOT NULL` */
  readonly paymentsTable: string
  /** Swaps the store under test, e.g. for a deliberately unfenced one that the invariants must catch. */
  readonly storeOf?: (pool: PostgresPool, tableName: string) => IdempotencyStore
}

/**
 * PostgreSQL, with faults where a driver meets them: a connection refused or reset before a statement is sent,
 * or lost after the server applied it (the client sees an error for a write that landed). `pg` retries nothing,
 * so every fault reaches the store. Gates, where the interleaver may switch actors, sit only where the actor
 * holds no row lock: around statements outside a transaction, and after COMMIT. An actor parked inside a
 * transaction would block the next mover on its locks, and nothing would ever move it again.
 */
export function postgresBackend(options: PostgresModelOptions): ModelBackend {
  const { pool, idempotencyTable, paymentsTable } = options
  return {
    open(hooks) {
      const faulty = faultyPool(pool, hooks)
      const store =
        options.storeOf?.(faulty, idempotencyTable) ??
        new PostgresStore({ pool: faulty, tableName: idempotencyTable })
      return { store, close: () => undefined }
    },
    async writePayment(context, { paymentId, chargeId }) {
      // The id derives from the key, so a zombie writes the row its successor did: it must not fail on it, its
      // completion is refused and rolls the statement back anyway.
      await postgresTransactionOf(context).query(
        `INSERT INTO ${paymentsTable} (payment_id, charge_id) VALUES ($1, $2) ON CONFLICT (payment_id) DO NOTHING`,
        [paymentId, chargeId],
      )
    },
    readRecord: (recordKey) => new PostgresStore({ pool, tableName: idempotencyTable }).get(recordKey),
    async paymentCharge(paymentId) {
      const { rows } = await pool.query(`SELECT charge_id FROM ${paymentsTable} WHERE payment_id = $1`, [
        paymentId,
      ])
      return rows[0]?.charge_id
    },
  }
}

type Kind = 'acquire' | 'complete' | 'release' | 'get' | 'commit' | 'other'

/** The store's statements by their first words (lib/postgres/statements.ts); anything else is the handler's. */
function kindOf(text: string): Kind {
  if (text.startsWith('WITH claimed')) return 'acquire'
  if (text.startsWith('UPDATE')) return 'complete'
  if (/^DELETE FROM \S+ WHERE key = \$1 AND token = \$2/.test(text)) return 'release'
  if (text.startsWith('SELECT key, status')) return 'get'
  if (text === 'COMMIT') return 'commit'
  return 'other'
}

const COMMANDS: Record<Exclude<Kind, 'other'>, string> = {
  acquire: 'INSERT ON CONFLICT',
  complete: 'UPDATE',
  release: 'DELETE',
  get: 'SELECT',
  commit: 'COMMIT',
}

type Result = PostgresQueryResult<Record<string, unknown>>

function outcomeOf(kind: Kind, result: Result): Attempt['outcome'] {
  switch (kind) {
    case 'acquire':
      return result.rows[0]?.claimed === true ? 'applied' : 'refused'
    case 'complete':
    case 'release':
      return result.rowCount === 1 ? 'applied' : 'refused'
    default:
      return 'read'
  }
}

/** Errors shaped as `pg` and the server give them. */
export function pgFault(kind: Exclude<FaultKind, 'none'>): Error {
  switch (kind) {
    case 'throttle':
      return Object.assign(new Error('sorry, too many clients already (injected)'), { code: '53300' })
    case 'network':
      return Object.assign(new Error('read ECONNRESET (injected)'), { code: 'ECONNRESET' })
    case 'timeout-after-write':
      return new Error('Connection terminated unexpectedly, after the statement was applied (injected)')
    case 'server-error-after-write':
      return Object.assign(new Error('terminating connection due to administrator command (injected)'), {
        code: '57P01',
      })
  }
}

/**
 * A pool whose store statements meet `hooks`' faults (see `postgresBackend`): the commands are 'INSERT ON
 * CONFLICT', 'UPDATE', 'DELETE', 'SELECT' and 'COMMIT'; the handler's own statements pass untouched.
 */
export function faultyPool(pool: pg.Pool, hooks: FaultHooks): PostgresPool {
  /** Outside a transaction: gates before and after, and every kind of fault. */
  async function autocommit(text: string, values?: unknown[]): Promise<Result> {
    const kind = kindOf(text)
    if (kind === 'other') return pool.query(text, values)
    const command = COMMANDS[kind]
    const fault = hooks.next(command)
    await hooks.pause?.(`send ${command}`)
    if (fault !== 'none' && !landsBeforeFailing(fault)) {
      hooks.observe?.({ command, fault, outcome: 'not-sent' })
      throw pgFault(fault)
    }
    let result: Result
    try {
      result = await pool.query(text, values)
    } catch (error) {
      hooks.observe?.({ command, fault, outcome: 'refused' })
      await hooks.pause?.(`refused ${command}`)
      throw error
    }
    hooks.observe?.({ command, fault, outcome: outcomeOf(kind, result) })
    await hooks.pause?.(`applied ${command}`)
    if (fault !== 'none') throw pgFault(fault)
    return result
  }

  /** Inside the handler's transaction: faults on the store's statements, a gate only once COMMIT released the locks. */
  async function connect(): Promise<PostgresPoolClient> {
    const client = await pool.connect()
    let completing = false
    async function query(text: string, values?: unknown[]): Promise<Result> {
      const kind = kindOf(text)
      if (kind !== 'complete' && kind !== 'commit') return client.query(text, values)
      const command = COMMANDS[kind]
      const fault = hooks.next(command)
      if (fault !== 'none' && !landsBeforeFailing(fault)) {
        hooks.observe?.({ command, fault, outcome: 'not-sent' })
        throw pgFault(fault)
      }
      const result = await client.query(text, values)
      if (kind === 'complete') {
        completing = result.rowCount === 1
        // Lost after the update ran: the connection goes, and the server rolls the transaction back with it.
        hooks.observe?.({ command, fault, outcome: fault === 'none' ? 'pending' : 'refused' })
      } else {
        hooks.observe?.({ command, fault, outcome: completing ? 'applied' : 'refused' })
        await hooks.pause?.(`applied ${command}`)
      }
      if (fault !== 'none') throw pgFault(fault)
      return result
    }
    return { query, release: (error) => client.release(error) }
  }

  return { query: autocommit, connect }
}

/**
 * The incumbent's completion on PostgreSQL: an unconditional upsert that drops the handler's transaction. Only
 * here to prove the model's invariants catch on PostgreSQL too what fencing prevents.
 */
export function unfencedPostgresStore(pool: PostgresPool, tableName: string): IdempotencyStore {
  const fenced = new PostgresStore({ pool, tableName })
  return {
    acquire: (record, nowEpochMs) => fenced.acquire(record, nowEpochMs),
    openOwnWrites: (claim) => fenced.openOwnWrites(claim),
    discardOwnWrites: (transaction) => fenced.discardOwnWrites(transaction as never),
    async complete(record, transaction) {
      if (transaction !== undefined) await fenced.discardOwnWrites(transaction as never)
      await pool.query(`DELETE FROM ${tableName} WHERE key = $1`, [record.key])
      await fenced.acquire({ ...record, status: 'IN_PROGRESS', leaseUntilEpochMs: 0 }, 0)
      await fenced.complete(record)
    },
    release: (key, token, transaction) => fenced.release(key, token, transaction as never),
    get: (key) => fenced.get(key),
    getMany: (keys) => fenced.getMany(keys),
  }
}

import { randomUUID } from 'node:crypto'
import middy from '@middy/core'
import pg from 'pg'
import { type IdempotencyStore, idempotency } from '../lib/index.js'
import {
  migrate,
  type PostgresPool,
  type PostgresQueryResult,
  PostgresStore,
  postgresTransactionOf,
} from '../lib/postgres/index.js'
import { startPostgresLocal } from '../scripts/postgres-local.js'
import { benchContext, type OrderEvent, orderEvent, withKey } from './workload.js'

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

interface Counted {
  readonly store: IdempotencyStore
  readonly statements: string[]
  readonly storeCalls: string[]
}

/** The first keyword that says what a statement does: the store's claim reads `WITH claimed AS (INSERT …`. */
function labelOf(text: string): string {
  const words = text
    .replace(/^WITH \w+ AS \(/, '')
    .trim()
    .split(/\s+/)
  const verb = words[0]?.toUpperCase() ?? '?'
  if (verb === 'INSERT' && text.includes('ON CONFLICT (key)')) return 'INSERT ON CONFLICT'
  return verb
}

function counted(pool: pg.Pool, tableName: string): Counted {
  const statements: string[] = []
  const storeCalls: string[] = []
  const send =
    (query: (text: string, values?: unknown[]) => Promise<PostgresQueryResult>) =>
    (text: string, values?: unknown[]) => {
      statements.push(labelOf(text))
      return query(text, values)
    }
  const counting: PostgresPool = {
    query: send((text, values) => pool.query(text, values)),
    async connect() {
      const client = await pool.connect()
      return {
        query: send((text, values) => client.query(text, values)),
        release: (error) => client.release(error),
      }
    },
  }
  const inner = new PostgresStore({ pool: counting, tableName })
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (typeof value !== 'function' || typeof name !== 'string' || name === 'openOwnWrites') return value
      return (...args: unknown[]) => {
        storeCalls.push(name)
        return value.apply(target, args)
      }
    },
  })
  return { store, statements, storeCalls }
}

type Handler = (event: OrderEvent, context: object) => Promise<unknown>

interface Env {
  readonly pool: pg.Pool
  readonly tableName: string
  readonly payments: string
  readonly counted: Counted
  wrap(body: Handler): (event: OrderEvent) => Promise<unknown>
}

const RECEIPT = { status: 'accepted' }
const EVENT = orderEvent(1024)
const fresh = () => withKey(EVENT, randomUUID())

const mustReject = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('the request was expected to fail and succeeded')
    },
    () => undefined,
  )

interface Prepared {
  /** The measured request. */
  run(): Promise<unknown>
  /** Lets go of whatever the request needed to be in flight. */
  after?(): Promise<unknown>
}

/** Each path prepares its measured request: whatever it needs before it runs unmeasured. */
const PATHS: readonly { path: string; prepare(env: Env): Promise<Prepared> }[] = [
  { path: 'fresh success', prepare: async (env) => ({ run: () => env.wrap(async () => RECEIPT)(fresh()) }) },
  {
    path: 'replay',
    async prepare(env) {
      const handler = env.wrap(async () => RECEIPT)
      const event = fresh()
      await handler(event)
      return { run: () => handler(event) }
    },
  },
  {
    path: 'in-flight duplicate',
    async prepare(env) {
      let entered = () => {}
      let release = () => {}
      const running = new Promise<void>((resolve) => {
        entered = resolve
      })
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const handler = env.wrap(async () => {
        entered()
        await gate
        return RECEIPT
      })
      const event = fresh()
      const first = handler(event).catch(() => undefined)
      await running
      return {
        run: () => mustReject(handler(event)),
        after: () => {
          release()
          return first
        },
      }
    },
  },
  {
    path: 'handler error',
    prepare: async (env) => ({
      run: () =>
        mustReject(
          env.wrap(async () => {
            throw new Error('declined by the bench')
          })(fresh()),
        ),
    }),
  },
  {
    path: 'payment with its own write',
    prepare: async (env) => ({
      run: () =>
        env.wrap(async (event, context) => {
          const paymentId = `pay_${randomUUID()}`
          const amount = event.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0)
          await postgresTransactionOf(context).query(
            `INSERT INTO ${env.payments} (payment_id, owner, amount) VALUES ($1, $2, $3)`,
            [paymentId, event.customerId, amount],
          )
          return { paymentId }
        })(fresh()),
    }),
  },
]

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

function benchEnv(pool: pg.Pool, tableName: string, payments: string): Env {
  const store = counted(pool, tableName)
  return {
    pool,
    tableName,
    payments,
    counted: store,
    wrap(body) {
      const handler = middy(body as never).use(
        idempotency<OrderEvent, unknown>({
          store: store.store,
          key: (event) => event.idempotencyKey,
        }) as never,
      )
      return (event) => (handler as unknown as Handler)(event, benchContext())
    },
  }
}

import { randomUUID } from 'node:crypto'
import middy from '@middy/core'
import type pg from 'pg'
import { type IdempotencyStore, idempotency } from '../lib/index.js'
import {
  type PostgresPool,
  type PostgresQueryResult,
  PostgresStore,
  postgresTransactionOf,
} from '../lib/postgres/index.js'
import { benchContext, type OrderEvent, orderEvent, withKey } from './workload.js'

/*
 * The paths bench/postgres.ts measures, and the counting pool and store each request runs through.
 */

/** A store whose calls, and the statements they send, are recorded in order. */
export interface Counted {
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

export interface Env {
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
export const PATHS: readonly { path: string; prepare(env: Env): Promise<Prepared> }[] = [
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

export function benchEnv(pool: pg.Pool, tableName: string, payments: string): Env {
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

import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createIdempotencyEngine } from '../../lib/engine.js'
import {
  IdempotencyCompletionRejectedError,
  InMemoryStore,
  idempotencyOf,
  makeIdempotent,
} from '../../lib/index.js'
import { PostgresStore, type PostgresTransaction, postgresTransactionOf } from '../../lib/postgres/index.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'

const pool = testPool()
let tableName: string
let payments: string
let store: PostgresStore
beforeAll(async () => {
  tableName = await createIdempotencyTestTable(pool, 'tx')
  payments = `${tableName.split('.')[0]}.payments`
  await pool.query(
    `CREATE TABLE ${payments} (payment_id text PRIMARY KEY, amount integer NOT NULL CHECK (amount > 0))`,
  )
  store = new PostgresStore({ pool, tableName })
})
// Every path must give its client back: a leak would exhaust the pool of a warm Lambda one request at a time.
afterEach(() => {
  expect(pool.totalCount - pool.idleCount, 'pool clients still checked out').toBe(0)
})
afterAll(async () => {
  await dropTestSchema(pool, tableName)
  await pool.end()
})

interface Payment {
  readonly paymentId: string
  readonly amount: number
}
const silent = { warn: () => undefined }
const insertPayment = (transaction: PostgresTransaction, payment: Payment) =>
  transaction.query(`INSERT INTO ${payments} (payment_id, amount) VALUES ($1, $2)`, [
    payment.paymentId,
    payment.amount,
  ])
const paymentRows = async (paymentId: string) =>
  (await pool.query(`SELECT amount FROM ${payments} WHERE payment_id = $1`, [paymentId])).rows
const fresh = (amount = 100): Payment => ({ paymentId: `pay_${randomUUID()}`, amount })

function wrap(body: (payment: Payment, context: object) => Promise<unknown>) {
  return makeIdempotent(body, { store, key: (payment: Payment) => payment.paymentId, logger: silent })
}

describe("the handler's transaction on PostgreSQL", () => {
  it('commits the rows the handler wrote with its stored result, and a retry replays without writing again', async () => {
    let runs = 0
    const handler = wrap(async (payment, context) => {
      runs++
      await insertPayment(postgresTransactionOf(context), payment)
      return { paid: payment.amount }
    })
    const payment = fresh()
    await expect(handler(payment, {})).resolves.toEqual({ paid: 100 })
    await expect(handler(payment, {})).resolves.toEqual({ paid: 100 })
    expect(runs).toBe(1)
    expect(await paymentRows(payment.paymentId)).toEqual([{ amount: 100 }])
  })

  it('rolls back what the handler wrote when it throws, and releases the key so a retry runs again', async () => {
    let runs = 0
    const handler = wrap(async (payment, context) => {
      runs++
      await insertPayment(postgresTransactionOf(context), payment)
      if (runs === 1) throw new Error('the gateway declined, after the row was written')
      return { paid: payment.amount }
    })
    const payment = fresh()
    await expect(handler(payment, {})).rejects.toThrow('declined')
    expect(await paymentRows(payment.paymentId)).toEqual([])
    await expect(handler(payment, {})).resolves.toEqual({ paid: 100 })
    expect(await paymentRows(payment.paymentId)).toEqual([{ amount: 100 }])
  })

  it('commits nothing when the handler caught its own failed statement, and gives the key back', async () => {
    let recordKey = ''
    const handler = wrap(async (payment, context) => {
      recordKey = idempotencyOf(context)?.recordKey ?? ''
      const transaction = postgresTransactionOf(context)
      await insertPayment(transaction, { ...payment, amount: 1 })
      await insertPayment(transaction, { ...payment, amount: -1 }).catch(() => 'ignored, wrongly')
      return { paid: payment.amount }
    })
    const payment = fresh()
    const error = await handler(payment, {}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(IdempotencyCompletionRejectedError)
    expect((error as IdempotencyCompletionRejectedError).released).toBe(true)
    expect(await paymentRows(payment.paymentId)).toEqual([])
    expect(recordKey).not.toBe('')
    expect(await store.get(recordKey)).toBeUndefined()
  })

  it('refuses a query through the transaction once the invocation is over, instead of running it outside', async () => {
    let kept: PostgresTransaction | undefined
    const handler = wrap(async (payment, context) => {
      kept = postgresTransactionOf(context)
      await insertPayment(kept, payment)
      return 'done'
    })
    const payment = fresh()
    await handler(payment, {})
    await expect(insertPayment(kept as PostgresTransaction, fresh())).rejects.toThrow(/already committed/)
  })

  it('commits nothing an abandoned handler wrote, before or after it was abandoned', async () => {
    const engine = createIdempotencyEngine({
      store,
      key: (payment: Payment) => payment.paymentId,
      logger: silent,
    })
    const payment = fresh()
    const context = {}
    const begun = await engine.begin(payment, context)
    if (begun.kind !== 'execute') throw new Error(`expected to execute, got ${begun.kind}`)
    const transaction = postgresTransactionOf(context)
    await insertPayment(transaction, payment)
    engine.abandon(begun.invocation, new Error('Middy timed out'))
    await expect(insertPayment(transaction, fresh())).rejects.toThrow(
      /rolled back: its invocation was abandoned/,
    )
    expect(await paymentRows(payment.paymentId)).toEqual([])
    expect((await store.get(begun.invocation.key))?.status).toBe('IN_PROGRESS')
    await vi.waitFor(() => expect(pool.totalCount - pool.idleCount).toBe(0))
  })

  it('checks out no client for a handler that never queries: its claim and completion are one statement each', async () => {
    let connects = 0
    const counting = new PostgresStore({
      pool: {
        query: (text, values) => pool.query(text, values),
        connect: () => {
          connects++
          return pool.connect()
        },
      },
      tableName,
    })
    const handler = makeIdempotent(async (payment: Payment) => payment.amount, {
      store: counting,
      key: (payment: Payment) => payment.paymentId,
      logger: silent,
    })
    const payment = fresh()
    await handler(payment, {})
    await handler(payment, {})
    expect(connects).toBe(0)
  })
})

describe('postgresTransactionOf', () => {
  it('throws a clear error outside a wrapped handler', () => {
    expect(() => postgresTransactionOf({})).toThrow(/wrapped with lambda-idempotency/)
  })

  it('throws a clear error when the wrapper stores records elsewhere', async () => {
    const handler = makeIdempotent(
      async (_event: object, context: object) => postgresTransactionOf(context),
      {
        store: new InMemoryStore(),
        key: () => randomUUID(),
        logger: silent,
      },
    )
    await expect(handler({}, {})).rejects.toThrow(/needs a PostgresStore/)
  })
})

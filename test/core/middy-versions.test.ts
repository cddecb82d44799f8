import { randomUUID } from 'node:crypto'
import middy6 from '@middy/core'
import middy7 from '@middy/core-7'
import type { Context } from 'aws-lambda'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { type HttpEvent, type HttpResult, httpIdempotency } from '../../lib/http/index.js'
import {
  DynamoDBStore,
  IdempotencyInProgressError,
  IdempotencyPayloadMismatchError,
  idempotency,
} from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { createdPayment, freshKey, freshUser, gatedHandler, silent } from '../support/http-harness.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let store: DynamoDBStore

beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'middy-versions'), client })
})

interface Order {
  orderId: string
  amount: number
}

type Handler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>
/** The one call both majors share: wrap a handler, `.use()` middlewares, call it as Lambda would. */
interface Wrapped<TEvent, TResult> extends Handler<TEvent, TResult> {
  use(middleware: object): Wrapped<TEvent, TResult>
}
type Middy = <TEvent, TResult>(handler: Handler<TEvent, TResult>) => Wrapped<TEvent, TResult>

/** Whether Middy 7's own types take `TMiddleware` in `.use()`: the cast to `Middy` below does not check that. */
type Middy7Accepts<TMiddleware, TEvent, TResult> = TMiddleware extends Parameters<
  ReturnType<typeof middy7<TEvent, TResult, Error, Context>>['use']
>[0]
  ? true
  : false
type Expect<T extends true> = T
/** Checked by the type check (npm run lint): a middleware Middy 7's types refuse does not compile. */
type _OursAreMiddy7Middlewares = [
  Expect<Middy7Accepts<ReturnType<typeof idempotency<Order, unknown>>, Order, unknown>>,
  Expect<Middy7Accepts<ReturnType<typeof httpIdempotency>, HttpEvent, HttpResult>>,
]

const NODE_MAJOR = Number(process.versions.node.split('.')[0])
// Middy 7 declares node >=22, so its cases skip under an older default `node` (a fresh machine may still have
// Node 20, where `npm test` must keep working). .ci/run runs the whole suite on Node 22 and on Node 24, so CI
// always runs them.
const MIDDY_MAJORS = [
  { name: 'Middy 6', middy: middy6 as Middy, onThisNode: true },
  { name: 'Middy 7', middy: middy7 as Middy, onThisNode: NODE_MAJOR >= 22 },
]

const context = () => lambdaContext() as unknown as Context

describe.each(MIDDY_MAJORS)('the middlewares on $name, on DynamoDB Local', ({ middy, onThisNode }) => {
  describe.runIf(onThisNode)(`on Node ${process.versions.node}`, () => {
    function orders(respond: Handler<Order, unknown> = async (order) => ({ charged: order.amount })) {
      const runs = vi.fn(respond)
      const later = vi.fn(async () => undefined)
      const handler = middy<Order, unknown>(runs)
        .use(idempotency<Order, unknown>({ store, key: (order) => order.orderId, logger: silent }))
        .use({ before: later })
      return { runs, later, invoke: (order: Order) => handler(order, context()) }
    }

    it('replays a stored result without running the handler or the middlewares after it', async () => {
      const { runs, later, invoke } = orders()
      const order = { orderId: randomUUID(), amount: 500 }
      expect(await invoke(order)).toEqual({ charged: 500 })
      expect(await invoke(order)).toEqual({ charged: 500 })
      expect(runs).toHaveBeenCalledTimes(1)
      expect(later).toHaveBeenCalledTimes(1)
    })

    it('refuses the same key with another payload, and a duplicate while the first runs', async () => {
      const gated = gatedHandler()
      const { runs, invoke } = orders(gated.respond)
      const order = { orderId: randomUUID(), amount: 500 }
      const first = invoke(order)
      await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(1), { timeout: 5_000 })
      await expect(invoke(order)).rejects.toBeInstanceOf(IdempotencyInProgressError)
      gated.finish()
      await first
      await expect(invoke({ ...order, amount: 900 })).rejects.toBeInstanceOf(IdempotencyPayloadMismatchError)
      expect(runs).toHaveBeenCalledTimes(1)
    })

    it('releases the key when the handler throws, so the retry runs', async () => {
      const outage = new Error('gateway down')
      const { runs, invoke } = orders(async (order) => {
        if (runs.mock.calls.length === 1) throw outage
        return { charged: order.amount }
      })
      const order = { orderId: randomUUID(), amount: 500 }
      await expect(invoke(order)).rejects.toBe(outage)
      expect(await invoke(order)).toEqual({ charged: 500 })
      expect(runs).toHaveBeenCalledTimes(2)
    })

    function payments(respond: Handler<HttpEvent, HttpResult> = createdPayment) {
      const runs = vi.fn(respond)
      const handler = middy<HttpEvent, HttpResult>(runs).use(httpIdempotency({ store, logger: silent }))
      return { runs, invoke: (event: HttpEvent) => handler(event, context()) }
    }
    const payment = (key: string, sub: string, amount = 500) =>
      httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: { amount } })

    it('answers HTTP replays, conflicts and mismatches as the preset promises', async () => {
      const gated = gatedHandler()
      const { runs, invoke } = payments(gated.respond)
      const [key, sub] = [freshKey(), freshUser()]
      const first = invoke(payment(key, sub))
      await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(1), { timeout: 5_000 })
      expect((await invoke(payment(key, sub))).statusCode).toBe(409)
      gated.finish()
      expect((await first).statusCode).toBe(201)
      const replay = await invoke(payment(key, sub))
      expect(headerOf(replay, 'idempotent-replayed')).toBe('true')
      expect(replay.body).toBe((await first).body)
      expect((await invoke(payment(key, sub, 900))).statusCode).toBe(422)
      expect(runs).toHaveBeenCalledTimes(1)
    })

    it('releases an HTTP key when the handler throws, so the retry runs', async () => {
      const outage = new Error('gateway down')
      const { runs, invoke } = payments(async (event) => {
        if (runs.mock.calls.length === 1) throw outage
        return createdPayment(event)
      })
      const event = payment(freshKey(), freshUser())
      await expect(invoke(event)).rejects.toBe(outage)
      expect((await invoke(event)).statusCode).toBe(201)
      expect(runs).toHaveBeenCalledTimes(2)
    })
  })
})

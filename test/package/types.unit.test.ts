import type { DurableContext, DurableLambdaHandler } from '@aws/durable-execution-sdk-js'
import middy6 from '@middy/core'
import middy7 from '@middy/core-7'
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import { type DurableEnvelope, makeDurableIdempotent } from '../../lib/durable/index.js'
import {
  InMemoryVersionStore,
  makeIdempotentBatchHandler,
  makeIdempotentFunction,
  makeVersioned,
  sqsBatch,
  type VersionedOutcome,
} from '../../lib/events/index.js'
import { type HttpEvent, type HttpResult, httpIdempotency, makeHttpIdempotent } from '../../lib/http/index.js'
import {
  type IdempotencyHandle,
  InMemoryStore,
  idempotency,
  idempotencyOf,
  type MiddyMiddleware,
  makeIdempotent,
} from '../../lib/index.js'

/**
 * The public generics, checked by the type check (`npm run lint` runs `tsc --noEmit` over test/): a handler's
 * event and result types come out of every wrapper as they went in, and a wrong event does not compile. A
 * wrapper that loses its generic (its event becomes `any` or `unknown`) fails `toEqualTypeOf`; one that stops
 * checking events leaves an `@ts-expect-error` unused, which fails too. At run time these are plain calls.
 */
interface Order {
  readonly orderId: string
  readonly amount: number
}
interface Receipt {
  readonly chargeId: string
}

const store = new InMemoryStore()
const receipt: Receipt = { chargeId: 'ch-1' }
const context = {} as Context
const charge = async (event: Order, _context: Context): Promise<Receipt> => ({ chargeId: event.orderId })

describe('the public generics: event and result types survive every wrapper', () => {
  it('makeIdempotent keeps the handler event, context and result, and types the key function', () => {
    const handler = makeIdempotent(charge, {
      store,
      key: (event) => {
        expectTypeOf(event).toEqualTypeOf<Order>()
        return event.orderId
      },
    })
    expectTypeOf(handler).parameters.toEqualTypeOf<[Order, Context]>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<Receipt>()

    // @ts-expect-error a refund is not the order the handler takes
    void (() => handler({ refundId: 'r-1' }, context))
    // @ts-expect-error the key reads a member the event does not have
    makeIdempotent(charge, { store, key: (event) => event.refundId })
  })

  it('the Middy middleware carries middy<TEvent, TResult>() through .use() and .handler() on Middy 6', () => {
    const middleware = idempotency<Order, Receipt>({ store, key: (event) => event.orderId })
    expectTypeOf(middleware).toEqualTypeOf<MiddyMiddleware<Order, Receipt>>()
    expectTypeOf(idempotency({ store, key: (event: Order) => event.orderId })).toEqualTypeOf<
      MiddyMiddleware<Order, unknown>
    >()

    const handler = middy6<Order, Receipt>()
      .use(middleware)
      .handler(async (event) => {
        expectTypeOf(event).toEqualTypeOf<Order>()
        return receipt
      })
    expectTypeOf(handler).parameter(0).toEqualTypeOf<Order>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<Receipt>()

    // @ts-expect-error a refund is not an order
    void (() => handler({ refundId: 'r-1' }, context))
  })

  it('the Middy middleware carries middy<TEvent, TResult>() through .use() and .handler() on Middy 7', () => {
    const middleware = idempotency<Order, Receipt>({ store, key: (event) => event.orderId })
    // Middy 7 infers a middleware's context type from its request, bounded by aws-lambda's Context: a narrower
    // context type made its .use() answer never, and .handler() on it did not compile.
    const handler = middy7<Order, Receipt>()
      .use(middleware)
      .handler(async (event) => {
        expectTypeOf(event).toEqualTypeOf<Order>()
        return receipt
      })
    expectTypeOf(handler).parameter(0).toEqualTypeOf<Order>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<Receipt>()

    // @ts-expect-error a refund is not an order
    void (() => handler({ refundId: 'r-1' }, context))
  })

  it('the HTTP wrapper and middleware take an HttpEvent and answer an HttpResult', () => {
    const answer = async (_event: APIGatewayProxyEventV2, _context: Context): Promise<HttpResult> => ({
      statusCode: 201,
    })
    const handler = makeHttpIdempotent(answer, { store })
    expectTypeOf(handler).parameters.toEqualTypeOf<[APIGatewayProxyEventV2, Context]>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<HttpResult>()

    const middleware = httpIdempotency({ store })
    expectTypeOf(middleware).toEqualTypeOf<MiddyMiddleware<HttpEvent, HttpResult>>()
    const wrapped = middy6<HttpEvent, HttpResult>()
      .use(middleware)
      .handler(async () => ({ statusCode: 200 }))
    expectTypeOf(wrapped).parameter(0).toEqualTypeOf<HttpEvent>()
    expectTypeOf(wrapped).returns.resolves.toEqualTypeOf<HttpResult>()

    // @ts-expect-error an order is not an HTTP event
    void (() => handler({ orderId: 'o-1', amount: 1 }, context))
    // @ts-expect-error an HTTP handler answers an HttpResult, not a bare string
    makeHttpIdempotent(async (_event: APIGatewayProxyEventV2) => 'created', { store })
  })

  it('makeIdempotentFunction keeps the arguments and the result, with and without a Lambda context', () => {
    const step = makeIdempotentFunction(
      async (orderId: string, amount: number) => ({ chargeId: `${orderId}${amount}` }),
      {
        store,
        operation: 'charge',
      },
    )
    expectTypeOf(step).parameters.toEqualTypeOf<[string, number]>()
    expectTypeOf(step).returns.resolves.toEqualTypeOf<{ chargeId: string }>()
    expectTypeOf(step.withContext(context)).parameters.toEqualTypeOf<[string, number]>()
    expectTypeOf(step.withContext(context)).returns.resolves.toEqualTypeOf<{ chargeId: string }>()

    // @ts-expect-error the amount is a number
    void (() => step('o-1', '42'))
  })

  it('makeVersioned keeps the event, and wraps the result in a VersionedOutcome', () => {
    const apply = makeVersioned(charge, {
      store: new InMemoryVersionStore(),
      entity: (event) => ({ id: event.orderId, version: event.amount }),
    })
    expectTypeOf(apply).parameters.toEqualTypeOf<[Order, Context]>()
    expectTypeOf(apply).returns.resolves.toEqualTypeOf<VersionedOutcome<Receipt>>()
    expectTypeOf<
      Extract<VersionedOutcome<Receipt>, { kind: 'processed' }>['result']
    >().toEqualTypeOf<Receipt>()

    // @ts-expect-error a refund is not an order
    void (() => apply({ refundId: 'r-1' }, context))
  })

  it("makeIdempotentBatchHandler takes the source's event and answers the source's response", () => {
    const handler = makeIdempotentBatchHandler(
      sqsBatch,
      async (record: SQSRecord, _context: Context) => record.body,
      {
        store,
      },
    )
    expectTypeOf(handler).parameters.toEqualTypeOf<[SQSEvent, Context]>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<SQSBatchResponse>()

    // @ts-expect-error an SQS batch handler takes SQS records, not orders
    makeIdempotentBatchHandler(sqsBatch, async (order: Order) => order.amount, { store })
  })

  it('makeDurableIdempotent types its handler and options by the event, and returns a durable Lambda handler', () => {
    const handler = makeDurableIdempotent(
      async (event: DurableEnvelope<Order>, durable: DurableContext) => {
        expectTypeOf(durable).toEqualTypeOf<DurableContext>()
        return { chargeId: event.input.orderId }
      },
      {
        store,
        executionTimeoutSeconds: 3_600,
        key: (event) => {
          expectTypeOf(event).toEqualTypeOf<DurableEnvelope<Order>>()
          return event.idempotencyKey
        },
        shouldStore: (result) => {
          expectTypeOf(result).toEqualTypeOf<{ chargeId: string }>()
          return true
        },
      },
    )
    expectTypeOf(handler).toEqualTypeOf<DurableLambdaHandler>()

    makeDurableIdempotent(async (event: DurableEnvelope<Order>) => event.input.amount, {
      store,
      executionTimeoutSeconds: 3_600,
      // @ts-expect-error the envelope carries an order, not a refund
      key: (event) => event.input.refundId,
    })
  })

  it('idempotencyOf answers a handle or undefined, for any context', () => {
    expectTypeOf(idempotencyOf(context)).toEqualTypeOf<IdempotencyHandle | undefined>()
    expectTypeOf(idempotencyOf).parameter(0).toEqualTypeOf<object>()
  })
})

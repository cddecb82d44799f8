import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  DurableExecutionConflictError,
  type DurableExecutions,
  DurableExecutionUnavailableError,
  type HttpAcceptedOptions,
  makeHttpAccepted,
} from '../../lib/durable/index.js'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { gate, useLocalDurableRunner } from '../support/durable.js'
import { durableOrders, failingStarts } from '../support/durable-orders.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { lambdaContext } from '../support/records.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()

const payoutRequest = (
  key: string | undefined,
  body: unknown = { amount: 500 },
  headers: Record<string, string> = {},
) =>
  httpApiEvent({
    method: 'POST',
    path: '/payouts',
    headers: { ...(key === undefined ? {} : { 'Idempotency-Key': key }), ...headers },
    body,
    sub: 'alice',
  })
const problemType = (response: HttpResult) => JSON.parse(response.body ?? '{}').type as string

function payoutsRoute(
  options: Partial<HttpAcceptedOptions> & { executions?: DurableExecutions } = {},
  handler?: (event: HttpEvent) => Promise<HttpResult>,
) {
  const orders = durableOrders(dynamodb.store)
  const route = makeHttpAccepted(
    {
      store: dynamodb.store,
      executions: orders.executions,
      namespace: 'payouts#create',
      input: (event) => JSON.parse(event.body ?? 'null'),
      logger: silent,
      ...options,
    },
    handler,
  )
  return { orders, post: (event: HttpEvent) => route(event, lambdaContext() as unknown as Context) }
}

describe('a 202 route', () => {
  it('answers 202 with Location and Retry-After once one execution started, and the same 202 to every retry', async () => {
    const { orders, post } = payoutsRoute({ respondAsync: 'always', retryAfterSeconds: 3 })
    const key = randomUUID()

    const first = await post(payoutRequest(key))
    const retry = await post(payoutRequest(key))
    await orders.settled()
    const afterTheWork = await post(payoutRequest(key))

    expect(first.statusCode).toBe(202)
    const location = headerOf(first, 'location') as string
    expect(location).toMatch(/^\/operations\/[A-Za-z0-9_-]{43}$/)
    expect(headerOf(first, 'retry-after')).toBe('3')
    expect(JSON.parse(first.body ?? '')).toEqual({ operationId: location.split('/').at(-1), location })
    for (const again of [retry, afterTheWork]) {
      expect(again.statusCode).toBe(202)
      expect(again.body).toBe(first.body)
      expect(headerOf(again, 'location')).toBe(location)
      expect(headerOf(again, 'retry-after')).toBe('3')
      expect(headerOf(again, 'idempotent-replayed')).toBe('true')
    }
    expect(orders.executions.list()).toHaveLength(1)
    expect(orders.shipped).toEqual([{ amount: 500 }])
  })

  it('answers 202 on a synchronous route when the request sends Prefer: respond-async, and runs inline without it', async () => {
    let inline = 0
    const { orders, post } = payoutsRoute({}, async () => {
      inline++
      return { statusCode: 201, body: '{"paid":true}' }
    })

    const synchronous = await post(payoutRequest(randomUUID()))
    const preferred = await post(
      payoutRequest(randomUUID(), { amount: 7 }, { Prefer: 'respond-async, wait=5' }),
    )
    await orders.settled()

    expect(synchronous.statusCode).toBe(201)
    expect(preferred.statusCode).toBe(202)
    expect(headerOf(preferred, 'preference-applied')).toBe('respond-async')
    expect(inline).toBe(1)
    expect(orders.shipped).toEqual([{ amount: 7 }])
  })

  it('answers a missing key 400, a reused key with another body 422 and a concurrent duplicate 409, as every route does', async () => {
    const held = gate()
    const starting = gate()
    const orders = durableOrders(dynamodb.store)
    const slowStart: DurableExecutions = {
      start: async (name, input) => {
        starting.open()
        await held.opened
        return orders.executions.start(name, input)
      },
      get: (name) => orders.executions.get(name),
    }
    const { post } = payoutsRoute({ respondAsync: 'always', executions: slowStart })
    const key = randomUUID()

    const missing = await post(payoutRequest(undefined))
    const first = post(payoutRequest(key))
    await starting.opened
    const concurrent = await post(payoutRequest(key))
    held.open()
    expect((await first).statusCode).toBe(202)
    const mismatch = await post(payoutRequest(key, { amount: 501 }))
    await orders.settled()

    expect(missing.statusCode).toBe(400)
    expect(problemType(missing)).toMatch(/#key-missing$/)
    expect(concurrent.statusCode).toBe(409)
    expect(headerOf(concurrent, 'retry-after')).toBeDefined()
    expect(mismatch.statusCode).toBe(422)
    expect(problemType(mismatch)).toMatch(/#payload-mismatch$/)
    expect(orders.executions.list()).toHaveLength(1)
  })

  it.each([
    ['a name Lambda already has with another input', () => new DurableExecutionConflictError(), 422],
    [
      'Lambda out of reach',
      () => new DurableExecutionUnavailableError('start', new Error('Rate exceeded')),
      503,
    ],
  ])('answers %s with a problem, stores nothing, and a retry starts the work', async (_, error, status) => {
    const orders = durableOrders(dynamodb.store)
    let failing = true
    const { post } = payoutsRoute({
      respondAsync: 'always',
      executions: failingStarts(orders.executions, () => failing, error),
    })
    const key = randomUUID()

    const refused = await post(payoutRequest(key))
    failing = false
    const retried = await post(payoutRequest(key))
    await orders.settled()

    expect(refused.statusCode).toBe(status)
    expect(headerOf(refused, 'content-type')).toBe('application/problem+json')
    expect(retried.statusCode).toBe(202)
    expect(headerOf(retried, 'idempotent-replayed')).toBeUndefined()
    expect(orders.shipped).toHaveLength(1)
  })

  it('refuses to be built without a handler for requests that do not prefer an asynchronous answer', () => {
    const orders = durableOrders(dynamodb.store)
    expect(() =>
      makeHttpAccepted({
        store: dynamodb.store,
        executions: orders.executions,
        input: () => null,
        respondAsync: 'when-preferred',
      }),
    ).toThrow(/handler/)
  })
})

describe('a 202 route without a handler', () => {
  it('answers a method it does not take with a 405 problem listing the methods it does', async () => {
    const { orders, post } = payoutsRoute({ respondAsync: 'always' })

    const answer = await post(httpApiEvent({ method: 'GET', path: '/payouts', sub: 'alice' }))

    expect(answer.statusCode).toBe(405)
    expect(headerOf(answer, 'allow')).toBe('POST, PATCH')
    expect(headerOf(answer, 'content-type')).toBe('application/problem+json')
    expect(problemType(answer)).toMatch(/#method-not-allowed$/)
    expect(orders.executions.list()).toHaveLength(0)
  })
})

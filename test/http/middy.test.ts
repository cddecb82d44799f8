import middy from '@middy/core'
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { type HttpEvent, type HttpResult, httpIdempotency, problemResponse } from '../../lib/http/index.js'
import { DynamoDBStore, IdempotencyInProgressError } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { createdPayment, freshKey, freshUser, silent } from '../support/http-harness.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let store: DynamoDBStore

beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'http-middy'), client })
})

type JwtEvent = APIGatewayProxyEventV2WithJWTAuthorizer
type Request = middy.Request<JwtEvent, HttpResult>
const context = () => lambdaContext() as unknown as Context

/** A body validator as users write it: answers 400 itself, before the idempotency middleware runs. */
const requireAmount = {
  before: async (request: Request) => {
    const body = JSON.parse(request.event.body ?? '{}')
    if (!Number.isInteger(body.amount)) {
      return problemResponse({
        status: 400,
        type: 'https://example.com/problems/invalid-body',
        title: 'Invalid body',
        detail: 'amount must be an integer',
      })
    }
  },
}

describe('the Middy middleware with the user’s other middlewares', () => {
  const payment = (key: string, sub: string, body: unknown) =>
    httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body }) as JwtEvent

  it('stores nothing for a body a validator registered before it rejects, so the corrected body succeeds with the same key', async () => {
    const runs = vi.fn(createdPayment)
    const handler = middy<JwtEvent, HttpResult>(runs)
      .use(requireAmount)
      .use(httpIdempotency({ store, logger: silent }))
    const [key, sub] = [freshKey(), freshUser()]
    const rejected = await handler(payment(key, sub, { amount: 'lots' }), context())
    const corrected = await handler(payment(key, sub, { amount: 500 }), context())
    expect(rejected.statusCode).toBe(400)
    expect(corrected.statusCode).toBe(201)
    expect(headerOf(corrected, 'idempotent-replayed')).toBeUndefined()
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it("leaves the handler's own errors to the user's error middleware, after releasing the key", async () => {
    const runs = vi.fn<(event: JwtEvent) => Promise<HttpResult>>()
    runs.mockRejectedValueOnce(new Error('ledger offline')).mockImplementation(createdPayment)
    const errorHandler = {
      onError: async (request: Request) => {
        request.response ??= { statusCode: 500, body: `internal: ${(request.error as Error).message}` }
      },
    }
    const handler = middy<JwtEvent, HttpResult>(runs)
      .use(errorHandler)
      .use(httpIdempotency({ store, logger: silent }))
    const event = payment(freshKey(), freshUser(), { amount: 500 })
    expect(await handler(event, context())).toEqual({ statusCode: 500, body: 'internal: ledger offline' })
    expect((await handler(event, context())).statusCode).toBe(201)
    expect(runs).toHaveBeenCalledTimes(2)
  })

  it('turns a toolkit error raised inside the handler into problem+json and releases the key', async () => {
    const runs = vi.fn<(event: JwtEvent) => Promise<HttpResult>>()
    runs.mockRejectedValueOnce(new IdempotencyInProgressError(1_500)).mockImplementation(createdPayment)
    const handler = middy<JwtEvent, HttpResult>(runs).use(httpIdempotency({ store, logger: silent }))
    const event = payment(freshKey(), freshUser(), { amount: 500 })
    const nested = await handler(event, context())
    expect(nested.statusCode).toBe(409)
    expect(headerOf(nested, 'content-type')).toBe('application/problem+json')
    expect(headerOf(nested, 'retry-after')).toBe('2')
    expect((await handler(event, context())).statusCode).toBe(201)
    expect(runs).toHaveBeenCalledTimes(2)
  })

  it('fingerprints a body an earlier middleware already parsed exactly like the raw JSON', async () => {
    const parseBody = {
      before: async (request: middy.Request<HttpEvent, HttpResult>) => {
        request.event.body = JSON.parse(request.event.body as string)
      },
    }
    const runs = vi.fn(createdPayment)
    const withParser = middy<HttpEvent, HttpResult>(runs)
      .use(parseBody)
      .use(httpIdempotency({ store, logger: silent }))
    const withoutParser = middy<HttpEvent, HttpResult>(runs).use(httpIdempotency({ store, logger: silent }))
    const [key, sub] = [freshKey(), freshUser()]
    await withParser(
      httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: '{"b":2,"a":1}' }),
      context(),
    )
    const raw = await withoutParser(
      httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: '{"a":1,"b":2}' }),
      context(),
    )
    expect(headerOf(raw, 'idempotent-replayed')).toBe('true')
    expect(runs).toHaveBeenCalledTimes(1)
  })
})

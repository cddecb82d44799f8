import middy from '@middy/core'
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import { type HttpResult, httpIdempotency } from '../../lib/http/index.js'
import {
  DynamoDBStore,
  IdempotencyHandlerTimeoutError,
  IdempotencyInProgressError,
  idempotency,
  idempotencyOf,
} from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { freshKey, freshUser, silent } from '../support/http-harness.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let store: DynamoDBStore

beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'middy-timeout'), client })
})

/** The reproduction: Middy answers 5 ms before a 200 ms deadline while the 300 ms body keeps running. */
const DEADLINE_MS = 200
const BODY_MS = 300
const context = () => lambdaContext(DEADLINE_MS) as unknown as Context
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A charging body that outlives Middy's early timeout; it records the signal its handle gave it. */
function slowCharge() {
  const charges: string[] = []
  const signals: AbortSignal[] = []
  const body = async (event: { orderId: string }, lambda: Context) => {
    const handle = idempotencyOf(lambda)
    if (handle) signals.push(handle.signal)
    await sleep(BODY_MS)
    charges.push(event.orderId)
    return { charged: event.orderId }
  }
  return { charges, signals, body }
}

describe('Middy’s early timeout with the core middleware', () => {
  it('keeps the claim while the timed-out body still runs, so an immediate retry is refused, not run', async () => {
    const { charges, body } = slowCharge()
    const handler = middy(body).use(
      idempotency<{ orderId: string }, unknown>({ store, key: (e) => e.orderId, logger: silent }),
    )
    const orderId = freshKey()
    const first = await handler({ orderId }, context()).catch((error: unknown) => error)
    const retry = await handler({ orderId }, context()).catch((error: unknown) => error)
    await sleep(BODY_MS + 100)
    expect(charges).toEqual([orderId])
    expect(first).toBeInstanceOf(IdempotencyHandlerTimeoutError)
    expect((first as IdempotencyHandlerTimeoutError).retryAfterSeconds).toBeGreaterThanOrEqual(1)
    expect(retry).toBeInstanceOf(IdempotencyInProgressError)
  })

  it('aborts the handle’s signal at the moment Middy gives up on the body', async () => {
    const { signals, body } = slowCharge()
    const handler = middy(body).use(
      idempotency<{ orderId: string }, unknown>({ store, key: (e) => e.orderId, logger: silent }),
    )
    await handler({ orderId: freshKey() }, context()).catch(() => undefined)
    expect(signals).toHaveLength(1)
    expect(signals[0]?.aborted).toBe(true)
  })
})

type JwtEvent = APIGatewayProxyEventV2WithJWTAuthorizer

describe('Middy’s early timeout with the HTTP middleware', () => {
  const payment = (key: string, sub: string) =>
    httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: { amount: 60_000 } }) as JwtEvent

  it('answers a 503 problem with Retry-After, keeps the claim, and charges once', async () => {
    const charges: string[] = []
    const handler = middy<JwtEvent, HttpResult>(async (event: JwtEvent) => {
      await sleep(BODY_MS)
      charges.push(event.body ?? '')
      return { statusCode: 201, body: '{"paymentId":"p-1"}' }
    }).use(httpIdempotency({ store, logger: silent }))
    const [key, sub] = [freshKey(), freshUser()]
    const first = await handler(payment(key, sub), context()).catch((error: Error) => error)
    const retry = await handler(payment(key, sub), context()).catch((error: Error) => error)
    await sleep(BODY_MS + 100)
    expect(charges).toHaveLength(1)
    expect(first).toMatchObject({ statusCode: 503 })
    expect(headerOf(first as HttpResult, 'content-type')).toBe('application/problem+json')
    expect(Number(headerOf(first as HttpResult, 'retry-after'))).toBeGreaterThanOrEqual(1)
    expect(retry).toMatchObject({ statusCode: 409 })
  })
})

import { randomUUID } from 'node:crypto'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { httpAccepted } from '../../lib/durable/index.js'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { useLocalDurableRunner } from '../support/durable.js'
import { durableOrders } from '../support/durable-orders.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { lambdaContext } from '../support/records.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()

const request = (key: string, headers: Record<string, string> = {}) =>
  httpApiEvent({
    path: '/payouts',
    headers: { 'Idempotency-Key': key, ...headers },
    body: { amount: 5 },
    sub: 'alice',
  })

function middyRoute() {
  const orders = durableOrders(dynamodb.store)
  let inline = 0
  const handler = middy<HttpEvent, HttpResult, Error, Context>(async () => {
    inline++
    return { statusCode: 201, body: '{"paid":true}' }
  }).use(
    httpAccepted({
      store: dynamodb.store,
      executions: orders.executions,
      namespace: 'payouts#middy',
      input: (event) => JSON.parse(event.body ?? 'null'),
      logger: silent,
    }),
  )
  const invoke = (event: HttpEvent) => handler(event, lambdaContext() as unknown as Context)
  return { orders, invoke, inlineRuns: () => inline }
}

describe('the httpAccepted Middy middleware', () => {
  it('answers Prefer: respond-async with 202 before the handler, and the retry with the same 202', async () => {
    const { orders, invoke, inlineRuns } = middyRoute()
    const key = randomUUID()

    const accepted = await invoke(request(key, { Prefer: 'respond-async' }))
    const retried = await invoke(request(key, { Prefer: 'respond-async' }))
    await orders.settled()

    expect(accepted.statusCode).toBe(202)
    expect(headerOf(accepted, 'preference-applied')).toBe('respond-async')
    expect(retried.body).toBe(accepted.body)
    expect(headerOf(retried, 'idempotent-replayed')).toBe('true')
    expect(inlineRuns()).toBe(0)
    expect(orders.shipped).toHaveLength(1)
  })

  it('runs the handler for a request without the preference, under the HTTP contract', async () => {
    const { orders, invoke, inlineRuns } = middyRoute()
    const key = randomUUID()

    const first = await invoke(request(key))
    const retried = await invoke(request(key))

    expect(first.statusCode).toBe(201)
    expect(headerOf(retried, 'idempotent-replayed')).toBe('true')
    expect(inlineRuns()).toBe(1)
    expect(orders.executions.list()).toHaveLength(0)
  })
})

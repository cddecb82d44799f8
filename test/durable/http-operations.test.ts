import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { makeDurableDispatcher, makeHttpAccepted, makeOperationsHandler } from '../../lib/durable/index.js'
import { sqsBatch } from '../../lib/events/index.js'
import type { HttpResult } from '../../lib/http/index.js'
import { gate, useLocalDurableRunner } from '../support/durable.js'
import { durableOrders } from '../support/durable-orders.js'
import { idempotencyStoreOnDynamoDBLocal, silent, sqsEvent, sqsRecord } from '../support/events.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { lambdaContext } from '../support/records.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()
const context = () => lambdaContext() as unknown as Context

/** A payouts API on the local runner: POST /payouts (202) and GET /operations/{id}. */
function payoutsApi(workflow: Parameters<typeof durableOrders>[1] = {}) {
  const orders = durableOrders(dynamodb.store, workflow)
  const accept = makeHttpAccepted({
    store: dynamodb.store,
    executions: orders.executions,
    namespace: 'payouts#create',
    input: (event) => JSON.parse(event.body ?? 'null'),
    respondAsync: 'always',
    logger: silent,
  })
  const operations = makeOperationsHandler({ executions: orders.executions, retryAfterSeconds: 4 })
  const post = async (sub: string, body: unknown = { amount: 500 }) => {
    const event = httpApiEvent({ path: '/payouts', headers: { 'Idempotency-Key': randomUUID() }, body, sub })
    const accepted = await accept(event, context())
    return headerOf(accepted, 'location') as string
  }
  const get = (location: string, sub: string | undefined) => {
    const id = location.split('/').at(-1) as string
    return operations(httpApiEvent({ method: 'GET', path: location, sub, pathParameters: { id } }))
  }
  return { orders, post, get }
}

const bodyOf = (response: HttpResult) => JSON.parse(response.body ?? 'null')

describe('GET /operations/{id}', () => {
  it('shows its owner the operation running, then succeeded with the result', async () => {
    const held = gate()
    const { orders, post, get } = payoutsApi({ hold: held.opened })
    const location = await post('alice')
    const id = location.split('/').at(-1)

    const running = await get(location, 'alice')
    held.open()
    await orders.settled()
    const succeeded = await get(location, 'alice')

    expect(running.statusCode).toBe(200)
    expect(bodyOf(running)).toEqual({ id, status: 'running' })
    expect(headerOf(running, 'retry-after')).toBe('4')
    expect(headerOf(running, 'cache-control')).toBe('private, no-store')
    expect(succeeded.statusCode).toBe(200)
    expect(bodyOf(succeeded)).toEqual({ id, status: 'succeeded', result: { shipped: { amount: 500 } } })
    expect(headerOf(succeeded, 'retry-after')).toBeUndefined()
  })

  it('shows a failed operation as failed, with the error type and not its message', async () => {
    const { orders, post, get } = payoutsApi({ fail: () => true })
    const location = await post('alice')
    await orders.settled()

    const failed = await get(location, 'alice')

    expect(bodyOf(failed)).toEqual({
      id: location.split('/').at(-1),
      status: 'failed',
      error: { type: 'Error' },
    })
    expect(failed.body).not.toContain('123456789012')
  })

  it('answers another caller, an unknown id and a malformed id with the same 404', async () => {
    const { orders, post, get } = payoutsApi()
    const location = await post('alice')
    await orders.settled()

    const answers = [
      await get(location, 'mallory'),
      await get('/operations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'alice'),
      await get('/operations/..%2F..%2Fadmin', 'alice'),
    ]

    for (const answer of answers) {
      expect(answer.statusCode).toBe(404)
      expect(headerOf(answer, 'content-type')).toBe('application/problem+json')
      expect(bodyOf(answer).type).toMatch(/#operation-not-found$/)
    }
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1)
  })

  it('answers a request without a caller 401, as every route does', async () => {
    const { post, get } = payoutsApi()
    const location = await post('alice')

    const anonymous = await get(location, undefined)

    expect(anonymous.statusCode).toBe(401)
    expect(bodyOf(anonymous).type).toMatch(/#principal-missing$/)
  })

  it('never shows work nobody owns, such as an execution the dispatcher started', async () => {
    const orders = durableOrders(dynamodb.store)
    const dispatch = makeDurableDispatcher(sqsBatch, {
      executions: orders.executions,
      namespace: 'payouts#dispatch',
      logger: silent,
    })
    await dispatch(sqsEvent(sqsRecord(randomUUID(), { amount: 5 })), lambdaContext())
    await orders.settled()
    const [execution] = orders.executions.list()
    const operations = makeOperationsHandler({ executions: orders.executions })

    const answer = await operations(
      httpApiEvent({ method: 'GET', path: `/operations/${execution?.name}`, sub: 'alice' }),
    )

    expect(answer.statusCode).toBe(404)
  })
})

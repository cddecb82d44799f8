import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { createPayoutHandler } from '../../functions/handlers/create-payout.js'
import { getOperationHandler } from '../../functions/handlers/get-operation.js'
import { payoutWorkflow } from '../../functions/handlers/payout-workflow.js'
import { listTransfers } from '../../functions/shared/bank.js'
import { listPayouts } from '../../functions/shared/payouts.js'
import { LocalDurableExecutions } from '../../lib/durable/index.js'
import type { HttpResult } from '../../lib/http/index.js'
import { useLocalDurableRunner } from '../support/durable.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { payoutTablesOnDynamoDBLocal } from '../support/payouts.js'
import { lambdaContext } from '../support/records.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()
const tables = payoutTablesOnDynamoDBLocal(dynamodb)

/** The sample's payout routes in front of its durable workflow, run by the SDK's local runner. */
function payoutsApi() {
  const workflow = payoutWorkflow({
    ...tables.dependencies(),
    store: dynamodb.store,
    settlementSeconds: 3600,
    logger: silent,
  })
  const executions = new LocalDurableExecutions({ handler: workflow })
  const create = createPayoutHandler({ store: dynamodb.store, executions }, { logger: silent })
  const operations = getOperationHandler({ executions })
  const post = (sub: string | undefined, key: string, body: unknown) =>
    create(
      httpApiEvent({ path: '/payouts', headers: { 'Idempotency-Key': key }, body, sub }),
      lambdaContext() as unknown as Context,
    )
  const get = (sub: string, location: string) => {
    const id = location.split('/').at(-1) as string
    return operations(httpApiEvent({ method: 'GET', path: location, sub, pathParameters: { id } }))
  }
  const settled = () => Promise.all(executions.list().map((execution) => executions.settled(execution.name)))
  return { executions, post, get, settled }
}

const payoutTo = (accountId = `acct_${randomUUID().slice(0, 8)}`) => ({
  accountId,
  amount: 120_000,
  currency: 'INR',
})
const bodyOf = (response: HttpResult) => JSON.parse(response.body ?? 'null')

async function ledgerFor(accountId: string) {
  const transfers = await listTransfers(dynamodb.client, tables.names.bankLedger)
  const payouts = await listPayouts(dynamodb.client, tables.names.payouts)
  return {
    transfers: transfers.filter((transfer) => transfer.accountId === accountId),
    payouts: payouts.filter((payout) => payout.accountId === accountId),
  }
}

describe('POST /payouts', () => {
  it('accepts with 202 and a Location, and the operation finishes with the payout paid', async () => {
    const api = payoutsApi()
    const body = payoutTo()

    const accepted = await api.post('asha', randomUUID(), body)
    await api.settled()
    const location = headerOf(accepted, 'location') as string
    const operation = await api.get('asha', location)

    expect(accepted.statusCode).toBe(202)
    expect(location).toMatch(/^\/operations\/[A-Za-z0-9_-]{43}$/)
    expect(bodyOf(operation)).toMatchObject({ status: 'succeeded', result: { status: 'paid', ...body } })
    expect(bodyOf(operation).result).not.toHaveProperty('owner')
  })

  it('gives one payout for the same request sent twice, the second answered with the first 202', async () => {
    const api = payoutsApi()
    const key = randomUUID()
    const body = payoutTo()

    const first = await api.post('asha', key, body)
    const second = await api.post('asha', key, body)
    await api.settled()
    const third = await api.post('asha', key, body)

    for (const retry of [second, third]) {
      expect(retry.statusCode).toBe(202)
      expect(headerOf(retry, 'location')).toBe(headerOf(first, 'location'))
      expect(headerOf(retry, 'idempotent-replayed')).toBe('true')
    }
    expect(api.executions.list()).toHaveLength(1)
    const { transfers, payouts } = await ledgerFor(body.accountId)
    expect(transfers).toEqual([expect.objectContaining({ requests: 1 })])
    expect(payouts).toEqual([expect.objectContaining({ status: 'paid' })])
  })

  it('refuses the key with another body (422), and gives two callers with one key two payouts', async () => {
    const api = payoutsApi()
    const key = randomUUID()
    const body = payoutTo()

    await api.post('asha', key, body)
    const otherBody = await api.post('asha', key, { ...body, amount: 999 })
    const otherCaller = await api.post('ravi', key, body)
    await api.settled()

    expect(otherBody.statusCode).toBe(422)
    expect(otherCaller.statusCode).toBe(202)
    expect(api.executions.list()).toHaveLength(2)
    expect((await ledgerFor(body.accountId)).payouts).toHaveLength(2)
  })

  it('answers an invalid body 400 and starts nothing, so the same key works once the body is fixed', async () => {
    const api = payoutsApi()
    const key = randomUUID()

    const invalid = await api.post('asha', key, {
      accountId: 'acct 1',
      amount: -5,
      currency: 'inr',
      memo: 'x',
    })
    const fixed = await api.post('asha', key, payoutTo())

    expect(invalid.statusCode).toBe(400)
    expect(bodyOf(invalid).detail).toMatch(/accountId.*amount.*currency/)
    expect(bodyOf(invalid).detail).toContain('unknown field "memo"')
    expect(fixed.statusCode).toBe(202)
    expect(api.executions.list()).toHaveLength(1)
  })

  it('answers a request without a caller 401 and starts nothing', async () => {
    const api = payoutsApi()

    const anonymous = await api.post(undefined, randomUUID(), payoutTo())

    expect(anonymous.statusCode).toBe(401)
    expect(api.executions.list()).toHaveLength(0)
  })
})

describe('GET /operations/{id}', () => {
  it('is private to its owner: another caller gets the same 404 as an unknown id', async () => {
    const api = payoutsApi()
    const accepted = await api.post('asha', randomUUID(), payoutTo())
    await api.settled()
    const location = headerOf(accepted, 'location') as string

    const owner = await api.get('asha', location)
    const other = await api.get('ravi', location)
    const unknown = await api.get('ravi', `/operations/${'A'.repeat(43)}`)

    expect(owner.statusCode).toBe(200)
    expect(other.statusCode).toBe(404)
    expect(bodyOf(other)).toEqual(bodyOf(unknown))
    expect(other.body).not.toContain('acct_')
  })
})

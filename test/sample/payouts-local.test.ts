import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startLocalPayouts } from '../../scripts/local-api/payouts.js'
import { testDynamoDBClient, uniqueTableName } from '../support/dynamodb.js'
import {
  type Answer,
  apiClient,
  freshKey,
  freshUser,
  problemCode,
  startTestApi,
  type TestApi,
} from '../support/local-api.js'

/**
 * `npm start`'s payouts: the deployed handlers on the local API, their durable executions run by the SDK's local
 * runner in real time (the settlement wait really waits its second), over DynamoDB Local.
 */
let api: TestApi
let client: ReturnType<typeof apiClient>

beforeAll(async () => {
  api = await startTestApi({
    payoutTables: { payouts: uniqueTableName('sample-payouts'), bankLedger: uniqueTableName('sample-bank') },
    payoutSettlementSeconds: 1,
  })
  client = apiClient(api.url)
})
afterAll(() => api?.stop())

const payoutTo = () => ({ accountId: `acct_${randomUUID().slice(0, 8)}`, amount: 250_000, currency: 'INR' })

/** Polls the operation as a client would, until it is no longer running. */
async function finished(user: string, location: string): Promise<Answer> {
  let answer: Answer | undefined
  await vi.waitFor(
    async () => {
      answer = await client.send('GET', location, { headers: { Authorization: `Bearer ${user}` } })
      expect(answer.json?.status).not.toBe('running')
    },
    { timeout: 25_000, interval: 200 },
  )
  return answer as Answer
}

async function ledgerFor(accountId: string) {
  return {
    transfers: (await client.transfers()).filter((transfer) => transfer.accountId === accountId),
    payouts: (await client.payouts()).filter((payout) => payout.accountId === accountId),
  }
}

describe('payouts on the local API', () => {
  it('accepts POST /payouts with 202, shows it running, then paid, and the local routes show one bank call', async () => {
    const user = freshUser()
    const body = payoutTo()

    const accepted = await client.payout(user, freshKey(), body)
    const location = accepted.headers.get('location') as string
    const running = await client.send('GET', location, { headers: { Authorization: `Bearer ${user}` } })
    const done = await finished(user, location)

    expect(accepted.status).toBe(202)
    expect(accepted.headers.get('retry-after')).toBe('5')
    expect(running.json.status).toBe('running')
    expect(done.json).toMatchObject({ status: 'succeeded', result: { status: 'paid', ...body } })
    const { transfers, payouts } = await ledgerFor(body.accountId)
    expect(transfers).toEqual([
      expect.objectContaining({ requests: 1, transferId: done.json.result.transferId }),
    ])
    expect(payouts).toEqual([
      expect.objectContaining({ status: 'paid', payoutId: done.json.result.payoutId }),
    ])
  })

  it('gives one payout for POST /payouts sent twice with one key', async () => {
    const user = freshUser()
    const key = freshKey()
    const body = payoutTo()

    const first = await client.payout(user, key, body)
    const second = await client.payout(user, key, body)
    await finished(user, first.headers.get('location') as string)

    expect(second.status).toBe(202)
    expect(second.headers.get('location')).toBe(first.headers.get('location'))
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    const { transfers, payouts } = await ledgerFor(body.accountId)
    expect(transfers).toHaveLength(1)
    expect(payouts).toHaveLength(1)
  })

  it('resumes a payout killed after the bank accepted it, and pays out once', async () => {
    const user = freshUser()
    const body = payoutTo()
    await client.crashNext({ afterBankCall: 1 })

    const accepted = await client.payout(user, freshKey(), body)
    const done = await finished(user, accepted.headers.get('location') as string)

    expect(done.json.status).toBe('succeeded')
    expect(api.logs.some((line) => line.includes('invocation killed (after-bank-call)'))).toBe(true)
    const { transfers, payouts } = await ledgerFor(body.accountId)
    // The killed attempt's bank call and the resumed one's: two calls, one key, one transfer.
    expect(transfers).toEqual([expect.objectContaining({ requests: 2 })])
    expect(payouts).toEqual([
      expect.objectContaining({ status: 'paid', transferId: transfers[0]?.transferId }),
    ])
  })

  it('shows GET /operations/{id} to its owner only: another caller gets 404', async () => {
    const owner = freshUser()
    const accepted = await client.payout(owner, freshKey(), payoutTo())
    const location = accepted.headers.get('location') as string

    const other = await client.send('GET', location, { headers: { Authorization: `Bearer ${freshUser()}` } })
    await finished(owner, location)

    expect(other.status).toBe(404)
    expect(problemCode(other)).toBe('operation-not-found')
  })

  it('refuses a crash plan it cannot read', async () => {
    expect((await client.crashNext({ afterBankCall: -1 })).status).toBe(400)
  })
})

describe('payouts on a Node.js older than 22', () => {
  it('answer 501 payouts-unavailable, naming the Node.js needed, and store nothing', async () => {
    const payouts = startLocalPayouts({
      client: testDynamoDBClient(),
      tables: { idempotency: 'unused', payouts: 'unused', bankLedger: 'unused' },
      settlementSeconds: 1,
      logger: { warn: () => undefined },
      log: () => undefined,
      nodeVersion: '20.20.2',
    })
    const post = payouts.routes.find((route) => route.path === '/payouts')

    const answer = await post?.handler({} as never, {} as never)

    expect(answer?.statusCode).toBe(501)
    expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({
      type: expect.stringMatching(/#payouts-unavailable$/),
      detail: expect.stringContaining('Node.js 22 or later'),
    })
  })
})

import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CREATE_PAYMENT_NAMESPACE } from '../../functions/handlers/create-payment.js'
import { CREATE_PAYOUT_NAMESPACE } from '../../functions/handlers/create-payout.js'
import { testDynamoDBClient, uniqueTableName } from '../support/dynamodb.js'
import {
  apiClient,
  festivalSale,
  freshKey,
  freshUser,
  problemCode,
  startTestApi,
  type TestApi,
} from '../support/local-api.js'
import { rawRequest } from '../support/raw-http.js'
import { type Counted, tableCounts } from '../support/table-counts.js'

/**
 * The sample's routes take JSON. A body sent as another media type (curl's `-d` alone sends a form) is refused
 * with 415 before the key is claimed, so nothing is stored and the same key works once the type is fixed; a
 * body without a Content-Type is read as JSON.
 */
const db = testDynamoDBClient()
let api: TestApi
let counted: Counted[]

beforeAll(async () => {
  api = await startTestApi({
    payoutTables: { payouts: uniqueTableName('media-payouts'), bankLedger: uniqueTableName('media-bank') },
    payoutSettlementSeconds: 1,
  })
  counted = [
    { tableName: api.tables.idempotency, recordKeyPrefix: `${CREATE_PAYMENT_NAMESPACE}#` },
    { tableName: api.tables.idempotency, recordKeyPrefix: `${CREATE_PAYOUT_NAMESPACE}#` },
    api.tables.payments,
    api.tables.gatewayLedger,
  ]
})
afterAll(async () => {
  await api?.stop()
  db.destroy()
})

const body = JSON.stringify(festivalSale)

describe('POST /payments and POST /payouts, by the media type of the body', () => {
  it.each([
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
  ])('refuses a body sent as %s with 415 problem+json, storing nothing', async (type) => {
    const client = apiClient(api.url)
    const user = freshUser()
    const key = freshKey()
    const before = await tableCounts(db, counted)
    const refused = await client.pay({ user, key, body, headers: { 'Content-Type': type } })
    expect(refused.status).toBe(415)
    expect(problemCode(refused)).toBe('unsupported-media-type')
    expect(refused.json.detail).toMatch(/Content-Type: application\/json/)
    expect(await tableCounts(db, counted)).toEqual(before)
    // Nothing was claimed: the same key, sent as JSON, makes the payment.
    expect((await client.pay({ user, key, body })).status).toBe(201)
  })

  it('reads a body sent without a Content-Type as JSON', async () => {
    const answer = await rawRequest(
      api.url,
      ['POST /payments HTTP/1.1', `Authorization: Bearer ${freshUser()}`, `Idempotency-Key: ${freshKey()}`],
      Buffer.from(body),
    )
    expect(answer.status, answer.body).toBe(201)
  })

  it('takes JSON under any +json type and with parameters', async () => {
    for (const type of ['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/payment+json']) {
      const answer = await apiClient(api.url).pay({
        key: freshKey(),
        body,
        headers: { 'Content-Type': type },
      })
      expect(answer.status, type).toBe(201)
    }
  })

  it('refuses a payout sent as a form with 415 problem+json, starting nothing', async () => {
    const before = await tableCounts(db, counted)
    const refused = await apiClient(api.url).send('POST', '/payouts', {
      headers: {
        Authorization: `Bearer ${freshUser()}`,
        'Idempotency-Key': freshKey(),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: JSON.stringify({
        accountId: `acct_${randomUUID().slice(0, 8)}`,
        amount: 250_000,
        currency: 'INR',
      }),
    })
    expect(refused.status).toBe(415)
    expect(problemCode(refused)).toBe('unsupported-media-type')
    expect(await tableCounts(db, counted)).toEqual(before)
  })
})

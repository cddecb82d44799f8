import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Answer,
  apiClient,
  festivalSale,
  freshKey,
  freshUser,
  problemCode,
  startTestApi,
  type TestApi,
} from '../support/local-api.js'

let api: TestApi
let client: ReturnType<typeof apiClient>

beforeAll(async () => {
  api = await startTestApi()
  client = apiClient(api.url)
})
afterAll(() => api?.stop())

/** Charges the gateway holds for this chargeId (by the ledger's own records). */
const chargesFor = async (chargeId: string) => (await client.charges()).filter((c) => c.chargeId === chargeId)

const expectCreated = (answer: Answer) => {
  expect(answer.status, answer.text).toBe(201)
  expect(answer.headers.get('content-type')).toBe('application/json')
  expect(answer.headers.get('location')).toBe(`/payments/${answer.json.paymentId}`)
}

describe('POST /payments, the contract of the sample service over HTTP', () => {
  it('creates the payment: 201, its Location, and a body of exactly the documented fields', async () => {
    const answer = await client.pay({ key: freshKey() })
    expectCreated(answer)
    expect(answer.headers.get('idempotent-replayed')).toBeNull()
    expect(Object.keys(answer.json)).toEqual([
      'paymentId',
      'status',
      'amount',
      'currency',
      'description',
      'chargeId',
      'createdAt',
    ])
    expect(answer.json).toMatchObject({ status: 'succeeded', ...festivalSale })
    expect(new Date(answer.json.createdAt).toISOString()).toBe(answer.json.createdAt)
    expect(await chargesFor(answer.json.chargeId)).toMatchObject([
      { amount: 6_000_000, currency: 'INR', requests: 1 },
    ])
  })

  it('leaves out description when none was sent', async () => {
    const answer = await client.pay({ key: freshKey(), body: { amount: 100, currency: 'USD' } })
    expectCreated(answer)
    expect(answer.json).not.toHaveProperty('description')
  })

  it('answers every repeat with the identical status and body, marked Idempotent-Replayed, and charges once', async () => {
    const key = freshKey()
    const first = await client.pay({ key })
    const repeats = [await client.pay({ key }), await client.pay({ key }), await client.pay({ key })]
    for (const repeat of repeats) {
      expect(repeat.status).toBe(201)
      expect(repeat.text).toBe(first.text)
      expect(repeat.headers.get('location')).toBe(first.headers.get('location'))
      expect(repeat.headers.get('idempotent-replayed')).toBe('true')
    }
    expect(await chargesFor(first.json.chargeId)).toMatchObject([{ requests: 1 }])
  })

  it('replays the same body resent with other key order and spacing', async () => {
    const key = freshKey()
    const first = await client.pay({ key, body: '{"amount": 2500, "currency": "INR"}' })
    const again = await client.pay({ key, body: '{ "currency":"INR","amount":2500 }' })
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.text).toBe(first.text)
  })

  it('refuses the same key with a different body: 422 problem+json, and the first payment stays', async () => {
    const key = freshKey()
    const first = await client.pay({ key })
    const other = await client.pay({ key, body: { ...festivalSale, amount: 6_000_001 } })
    expect(other.status).toBe(422)
    expect(problemCode(other)).toBe('payload-mismatch')
    expect((await client.pay({ key })).text).toBe(first.text)
  })

  it.each([
    ['no Idempotency-Key', {}, 'key-missing'],
    ['an Idempotency-Key with a space in it', { 'Idempotency-Key': 'two words' }, 'key-invalid'],
    ['an Idempotency-Key of 256 characters', { 'Idempotency-Key': 'k'.repeat(256) }, 'key-invalid'],
  ])('answers %s with 400 problem+json', async (_case, headers, code) => {
    const answer = await client.pay({ headers })
    expect(answer.status).toBe(400)
    expect(problemCode(answer)).toBe(code)
  })

  it.each([
    ['invalid JSON', '{"amount": 100,'],
    ['an empty body', ''],
    ['a JSON array', [festivalSale]],
    ['amount zero', { amount: 0, currency: 'INR' }],
    ['a fractional amount', { amount: 10.5, currency: 'INR' }],
    ['amount as a string', { amount: '100', currency: 'INR' }],
    ['amount over 100000000', { amount: 100_000_001, currency: 'INR' }],
    ['no currency', { amount: 100 }],
    ['a lower-case currency', { amount: 100, currency: 'inr' }],
    ['a four-letter currency', { amount: 100, currency: 'INRS' }],
    ['a description of 201 characters', { amount: 100, currency: 'INR', description: 'd'.repeat(201) }],
    ['a description that is not a string', { amount: 100, currency: 'INR', description: 7 }],
    ['another field', { ...festivalSale, tip: 100 }],
  ])(
    'answers %s with 400, stores nothing, and takes the same key with a corrected body',
    async (_case, body) => {
      const key = freshKey()
      const invalid = await client.pay({ key, body })
      expect(invalid.status).toBe(400)
      expect(problemCode(invalid)).toBe('validation-failed')
      expect(invalid.json.detail).toMatch(/same Idempotency-Key/)
      const corrected = await client.pay({ key })
      expectCreated(corrected)
      expect(corrected.headers.get('idempotent-replayed')).toBeNull()
    },
  )

  it('accepts amount 100000000 and a description of 200 characters (counted as characters, not bytes)', async () => {
    const body = { amount: 100_000_000, currency: 'INR', description: 'दी'.repeat(100) }
    expectCreated(await client.pay({ key: freshKey(), body }))
  })

  it.each([
    ['no Authorization', null],
    ['a Basic Authorization', 'Basic'],
  ])('answers %s with 401 and runs nothing', async (_case, scheme) => {
    const headers: Record<string, string> =
      scheme === null ? {} : { Authorization: `${scheme} YXNoYTpzZWNyZXQ=` }
    const before = (await client.charges()).length
    const answer = await client.pay({ user: null, key: freshKey(), headers })
    expect(answer.status).toBe(401)
    expect(answer.headers.get('www-authenticate')).toBe('Bearer')
    expect(problemCode(answer)).toBe('unauthorized')
    expect((await client.charges()).length).toBe(before)
  })

  it('answers the decline amount 402 with 402 problem+json, stored and replayed like a success', async () => {
    const key = freshKey()
    const declined = await client.pay({ key, body: { amount: 402, currency: 'INR' } })
    expect(declined.status).toBe(402)
    expect(problemCode(declined)).toBe('card-declined')
    expect(declined.json.paymentId).toMatch(/^pay_/)
    const again = await client.pay({ key, body: { amount: 402, currency: 'INR' } })
    expect(again.status).toBe(402)
    expect(again.text).toBe(declined.text)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await chargesFor(declined.json.chargeId)).toMatchObject([{ amount: 402, requests: 1 }])
    const payment = await client.getPayment('asha', `/payments/${declined.json.paymentId}`)
    expect(payment.json).toMatchObject({ status: 'declined', chargeId: declined.json.chargeId })
  })

  it('answers a gateway failure with 502, stores nothing, and charges once on the retry with the same key', async () => {
    const key = freshKey()
    expect((await client.failNext(1)).status).toBe(200)
    const failed = await client.pay({ key })
    expect(failed.status).toBe(502)
    expect(problemCode(failed)).toBe('gateway-failed')
    expect(failed.headers.get('idempotent-replayed')).toBeNull()
    const retried = await client.pay({ key })
    expectCreated(retried)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    expect(await chargesFor(retried.json.chargeId)).toMatchObject([{ requests: 1 }])
  })

  it('gives two users who send the same key two independent payments', async () => {
    const key = freshKey()
    const [asha, ravi] = [await client.pay({ key, user: 'asha' }), await client.pay({ key, user: 'ravi' })]
    expectCreated(asha)
    expectCreated(ravi)
    expect(ravi.headers.get('idempotent-replayed')).toBeNull()
    expect(ravi.json.paymentId).not.toBe(asha.json.paymentId)
    expect(ravi.json.chargeId).not.toBe(asha.json.chargeId)
    const gatewayKeys = (await client.charges())
      .filter((c) => [asha.json.chargeId, ravi.json.chargeId].includes(c.chargeId))
      .map((c) => c.gatewayKey)
    expect(new Set(gatewayKeys).size).toBe(2)
  })
})

describe('GET /payments/{paymentId}', () => {
  it('shows the payment to its owner (200, the body the POST returned) and 404 to anyone else', async () => {
    const owner = freshUser()
    const created = await client.pay({ key: freshKey(), user: owner })
    const location = created.headers.get('location') as string
    const mine = await client.getPayment(owner, location)
    expect(mine.status).toBe(200)
    expect(mine.json).toEqual(created.json)
    const theirs = await client.getPayment(freshUser(), location)
    expect(theirs.status).toBe(404)
    expect(problemCode(theirs)).toBe('payment-not-found')
  })

  it('answers an id that does not exist with the same 404', async () => {
    const missing = await client.getPayment('asha', '/payments/pay_doesnotexist')
    expect(missing.status).toBe(404)
    expect(problemCode(missing)).toBe('payment-not-found')
  })

  it('answers without Authorization with 401, and unknown routes with a 404 problem+json', async () => {
    expect((await client.send('GET', '/payments/pay_x')).status).toBe(401)
    const unknown = await client.send('DELETE', '/payments/pay_x')
    expect(unknown.status).toBe(404)
    expect(problemCode(unknown)).toBe('route-not-found')
    expect(unknown.json).toMatchObject({ status: 404, title: 'Route not found' })
  })
})

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { apiClient, freshKey, freshUser, startTestApi, type TestApi } from '../support/local-api.js'

let api: TestApi
let client: ReturnType<typeof apiClient>

beforeAll(async () => {
  api = await startTestApi({ events: true })
  client = apiClient(api.url)
})
afterAll(() => api?.stop())

interface Count {
  paymentId: string
  fulfilments: number
  deliveries: number
}

const counts = async () => (await client.send('GET', '/_local/fulfilments')).json as { fulfilments: Count[] }
const countFor = async (paymentId: string) =>
  (await counts()).fulfilments.find((count) => count.paymentId === paymentId)
/** Polls at 200 ms, then a queue hop: a second or two covers it on a loaded machine with margin. */
const EVENT_FLOW_TIMEOUT_MS = 10_000
const eventually = { timeout: EVENT_FLOW_TIMEOUT_MS, interval: 50 }

describe('the local API’s event flow: outbox, publisher, queue, fulfil-order', () => {
  it('fulfils a new payment once, from its outbox event, with no request of its own', async () => {
    const paid = await client.pay({ user: freshUser(), key: freshKey() })
    expect(paid.status).toBe(201)
    await vi.waitFor(async () => {
      expect(await countFor(paid.json.paymentId)).toEqual({
        paymentId: paid.json.paymentId,
        fulfilments: 1,
        deliveries: 1,
      })
    }, eventually)
  })

  it('delivers events twice on demand and still fulfils each payment once', async () => {
    const duplicated = await client.send('POST', '/_local/outbox/faults', {
      body: JSON.stringify({ duplicateNext: 2 }),
    })
    expect(duplicated.json).toEqual({ duplicateNext: 2 })
    const paid = await Promise.all([1, 2].map(() => client.pay({ user: freshUser(), key: freshKey() })))
    await vi.waitFor(async () => {
      for (const { json } of paid)
        expect(await countFor(json.paymentId)).toEqual({
          paymentId: json.paymentId,
          fulfilments: 1,
          deliveries: 2,
        })
    }, eventually)
  })

  it('fulfils nothing for a declined payment, which announces no event', async () => {
    const declined = await client.pay({
      user: freshUser(),
      key: freshKey(),
      body: { amount: 402, currency: 'INR' },
    })
    const paid = await client.pay({ user: freshUser(), key: freshKey() })
    expect([declined.status, paid.status]).toEqual([402, 201])
    // The paid one, made after the declined one, shows the flow has passed both.
    await vi.waitFor(async () => expect(await countFor(paid.json.paymentId)).toBeDefined(), eventually)
    expect(await countFor(declined.json.paymentId)).toBeUndefined()
  })

  it('answers 400 to a fault request without a whole number, and 404 to the event routes with the flow off', async () => {
    for (const body of ['{"duplicateNext":-1}', '{"duplicateNext":1.5}', '{}', 'null', 'nope']) {
      const answer = await client.send('POST', '/_local/outbox/faults', { body })
      expect(answer.status, body).toBe(400)
    }
    const off = await startTestApi()
    try {
      expect((await apiClient(off.url).send('GET', '/_local/fulfilments')).status).toBe(404)
    } finally {
      await off.stop()
    }
  })
})

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { testDynamoDBClient } from '../support/dynamodb.js'
import {
  type Answer,
  apiClient,
  freshKey,
  problemCode,
  startTestApi,
  type TestApi,
  waitForClaim,
} from '../support/local-api.js'

/** Long enough that duplicates sent after the claim surely meet the first request still charging. */
const SLOW_GATEWAY_MS = 1_500
const BURST = 50

const db = testDynamoDBClient()
let fast: TestApi
let slow: TestApi

beforeAll(async () => {
  ;[fast, slow] = await Promise.all([startTestApi(), startTestApi({ gatewayLatencyMs: SLOW_GATEWAY_MS })])
})
afterAll(async () => {
  await Promise.all([fast?.stop(), slow?.stop()])
  db.destroy()
})

const replayed = (answer: Answer) => answer.headers.get('idempotent-replayed') === 'true'

describe('concurrent duplicates over HTTP', () => {
  it(`lets one of ${BURST} simultaneous requests with one key charge; the rest get its 201 replayed or a 409`, async () => {
    const client = apiClient(fast.url)
    const chargesBefore = (await client.charges()).length
    const key = freshKey()
    const answers = await Promise.all(Array.from({ length: BURST }, () => client.pay({ key })))
    const created = answers.filter((a) => a.status === 201)
    const conflicts = answers.filter((a) => a.status === 409)
    expect(created.length + conflicts.length).toBe(BURST)
    expect(created.filter((a) => !replayed(a))).toHaveLength(1)
    expect(new Set(created.map((a) => a.text)).size).toBe(1)
    for (const conflict of conflicts) {
      expect(problemCode(conflict)).toBe('in-progress')
      expect(Number(conflict.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    }
    const charges = await client.charges()
    expect(charges).toHaveLength(chargesBefore + 1)
    expect(charges.filter((c) => c.chargeId === created[0]?.json.chargeId)).toMatchObject([{ requests: 1 }])
    expect((await client.pay({ key })).text).toBe(created[0]?.text)
  })

  it(`gives all ${BURST} simultaneous requests that send Prefer: wait the one 201`, async () => {
    const client = apiClient(fast.url)
    const key = freshKey()
    const headers = { Prefer: 'wait=5' }
    const answers = await Promise.all(Array.from({ length: BURST }, () => client.pay({ key, headers })))
    expect(answers.map((a) => a.status)).toEqual(Array(BURST).fill(201))
    expect(answers.filter((a) => !replayed(a))).toHaveLength(1)
    expect(new Set(answers.map((a) => a.text)).size).toBe(1)
    const charges = (await client.charges()).filter((c) => c.chargeId === answers[0]?.json.chargeId)
    expect(charges).toMatchObject([{ requests: 1 }])
  })

  it('answers a duplicate of a running request with 409 and Retry-After, and with Prefer: wait the first 201', async () => {
    const client = apiClient(slow.url)
    const key = freshKey()
    const first = client.pay({ key })
    await waitForClaim(db, slow.tables.idempotency)
    const duplicate = await client.pay({ key })
    expect(duplicate.status).toBe(409)
    expect(problemCode(duplicate)).toBe('in-progress')
    expect(Number(duplicate.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    const waited = await client.pay({ key, headers: { Prefer: 'wait=5' } })
    const original = await first
    expect(original.status).toBe(201)
    expect(replayed(original)).toBe(false)
    expect(waited.status).toBe(201)
    expect(replayed(waited)).toBe(true)
    expect(waited.text).toBe(original.text)
  })
})

describe('a client that gives up mid-request', () => {
  it('gets the one payment on retries with the same key; the abandoned request still completes it', async () => {
    const client = apiClient(slow.url)
    const chargesBefore = (await client.charges()).length
    const key = freshKey()
    const abort = new AbortController()
    const abandoned = client.pay({ key, signal: abort.signal })
    await waitForClaim(db, slow.tables.idempotency)
    abort.abort()
    await expect(abandoned).rejects.toThrow(/abort/i)

    const tooEarly = await client.pay({ key })
    expect(tooEarly.status).toBe(409)
    const retried = await client.pay({ key, headers: { Prefer: 'wait=5' } })
    expect(retried.status).toBe(201)
    expect(replayed(retried)).toBe(true)
    const later = await client.pay({ key })
    expect(later.text).toBe(retried.text)

    const charges = await client.charges()
    expect(charges).toHaveLength(chargesBefore + 1)
    expect(charges.find((c) => c.chargeId === retried.json.chargeId)).toMatchObject({ requests: 1 })
    await vi.waitFor(() => expect(slow.logs.some((line) => line.includes('(client gone)'))).toBe(true))
  })
})

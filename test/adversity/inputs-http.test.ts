import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CREATE_PAYMENT_NAMESPACE } from '../../functions/handlers/create-payment.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import { OPAQUE_KEYS, REFUSED_BODIES, REFUSED_KEYS } from '../support/hostile-inputs.js'
import { apiClient, festivalSale, freshKey, startTestApi, type TestApi } from '../support/local-api.js'
import { type RawAnswer, rawRequest } from '../support/raw-http.js'
import { type Counted, tableCounts } from '../support/table-counts.js'

const db = testDynamoDBClient()
let api: TestApi
let tableNames: Counted[]

beforeAll(async () => {
  api = await startTestApi({ gatewayLatencyMs: 0 })
  // The fulfilment consumer keeps its own records in the same table, some time after each payment.
  const payments = { tableName: api.tables.idempotency, recordKeyPrefix: `${CREATE_PAYMENT_NAMESPACE}#` }
  tableNames = [payments, api.tables.payments, api.tables.gatewayLedger]
})
afterAll(async () => {
  await api?.stop()
  db.destroy()
})

const festivalBody = Buffer.from(JSON.stringify(festivalSale))

/** A POST /payments on the wire: extra header lines as given, bytes and all. */
const post = (headers: readonly (string | Buffer)[], body = festivalBody, type = 'application/json') =>
  rawRequest(
    api.url,
    ['POST /payments HTTP/1.1', 'Authorization: Bearer asha', `Content-Type: ${type}`, ...headers],
    body,
  )

/**
 * A refusal: 4xx as problem+json, whether the functions answered or the local API did before any route (the 400
 * and 431 Node's HTTP parser raises for bytes no HTTP header may carry, the 413 past API Gateway's limit);
 * never a 5xx, nothing stored.
 */
async function expectRefused(send: () => Promise<RawAnswer>): Promise<RawAnswer> {
  const before = await tableCounts(db, tableNames)
  const answer = await send()
  expect(answer.status, answer.head).toBeGreaterThanOrEqual(400)
  expect(answer.status, answer.body.slice(0, 300)).toBeLessThan(500)
  expect(answer.contentType).toBe('application/problem+json')
  expect(await tableCounts(db, tableNames)).toEqual(before)
  return answer
}

describe('the local API against the bad-input corpus, byte for byte on the wire', () => {
  // A CR LF on the wire ends the header line: what arrives is a valid key plus a second header.
  it.each(REFUSED_KEYS.filter(([name]) => !name.startsWith('CR LF')))(
    'refuses an Idempotency-Key with %s with a 4xx and stores nothing',
    async (_name, key) => {
      await expectRefused(() =>
        post([Buffer.concat([Buffer.from('Idempotency-Key: '), Buffer.from(key, 'utf8')])]),
      )
    },
  )

  it.each(OPAQUE_KEYS)('charges once for a key with %s and replays it', async (_name, key) => {
    const before = await tableCounts(db, tableNames)
    const first = await post([`Idempotency-Key: ${key}`])
    const again = await post([`Idempotency-Key: ${key}`])
    // The counts "nothing stored" relies on do see an accepted payment: its record, payment and charge.
    const after = await tableCounts(db, tableNames)
    expect(after.map((count, table) => count - (before[table] ?? 0))).toEqual([1, 1, 1])
    expect(first.status).toBe(201)
    expect(again.body).toBe(first.body)
    expect(again.head).toMatch(/^idempotent-replayed: true$/im)
  })

  it.each(REFUSED_BODIES)(
    'refuses a body with $name with a 400 problem+json and stores nothing',
    async (bad) => {
      // Raw bytes as JSON: the local API passes a body that is not UTF-8 base64-encoded, as API Gateway does.
      // (Sent as application/octet-stream they would get 415 before any parsing: test/sample/media-type.test.ts.)
      const body = bad.base64 ? Buffer.from(bad.body, 'base64') : Buffer.from(bad.body, 'utf8')
      const answer = await expectRefused(() => post([`Idempotency-Key: ${freshKey()}`], body))
      expect(answer.status).toBe(400)
      if (bad.why) expect(JSON.parse(answer.body).detail).toMatch(bad.why)
    },
  )

  it('refuses invalid UTF-8 sent as application/json text rather than charging a mangled description', async () => {
    const body = Buffer.concat([festivalBody.subarray(0, -2), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])
    const answer = await expectRefused(() => post([`Idempotency-Key: ${freshKey()}`], body))
    expect(JSON.parse(answer.body).detail).toMatch(/not valid UTF-8/)
  })

  it('refuses the key sent as two header lines, in either case, and a body past API Gateway limit', async () => {
    for (const lines of [
      ['Idempotency-Key: key-one', 'idempotency-key: key-two'],
      ['IDEMPOTENCY-KEY: key-one', 'Idempotency-Key: key-one'],
    ])
      expect((await expectRefused(() => post(lines))).status).toBe(400)
    const tooLarge = Buffer.alloc(11 * 1024 * 1024, 0x20)
    expect((await expectRefused(() => post([`Idempotency-Key: ${freshKey()}`], tooLarge))).status).toBe(413)
  })

  it('refuses a request without Authorization with 401 and keeps serving after all of the above', async () => {
    const anonymous = await expectRefused(() =>
      rawRequest(api.url, ['POST /payments HTTP/1.1', `Idempotency-Key: ${freshKey()}`], festivalBody),
    )
    expect(anonymous.status).toBe(401)
    expect((await apiClient(api.url).send('GET', '/_local/health')).status).toBe(200)
    expect((await apiClient(api.url).pay({ key: freshKey() })).status).toBe(201)
  })
})

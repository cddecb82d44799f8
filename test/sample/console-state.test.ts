import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scanAll } from '../../functions/shared/reads.js'
import { toItem } from '../../lib/dynamodb/item.js'
import { sha256 } from '../../lib/store/index.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import {
  apiClient,
  festivalSale,
  freshKey,
  freshUser,
  startTestApi,
  type TestApi,
  waitForClaim,
} from '../support/local-api.js'
import { requestWithHost } from '../support/raw-http.js'

/** Long enough that a duplicate sent once the first request holds its key meets it still charging. */
const SLOW_GATEWAY_MS = 1_500
/** The lease create-payment takes locally: the 10 s function timeout plus the toolkit's 2 s margin. */
const LOCAL_LEASE_MS = 12_000

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

// biome-ignore lint/suspicious/noExplicitAny: the route's JSON, read as any client would
async function consoleState(api: TestApi): Promise<any> {
  const answer = await apiClient(api.url).send('GET', '/_local/console/state')
  expect(answer.status).toBe(200)
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
  return answer.json
}

// biome-ignore lint/suspicious/noExplicitAny: as above
const recordSentWith = (state: any, key: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  state.records.find((record: any) => record.sentKeys.some((sent: any) => sent.idempotencyKey === key))

const statusWithHost = async (url: string, path: string, host: string) =>
  (await requestWithHost(url, { method: 'GET', path, host })).status

describe('GET /_local/console/state', () => {
  it("joins a key's one gateway charge to its hashed record, and names the sent key from memory only", async () => {
    const user = freshUser()
    const key = freshKey()
    const paid = await apiClient(fast.url).pay({ user, key })
    expect(paid.status).toBe(201)
    const record = recordSentWith(await consoleState(fast), key)
    expect(record).toMatchObject({
      state: 'COMPLETED',
      sentKeys: [{ user, idempotencyKey: key }],
      outcomes: { fresh: 1 },
      charges: [
        { chargeId: paid.json.chargeId, amount: festivalSale.amount, currency: 'INR', gatewayCalls: 1 },
      ],
    })
    expect(record.recordKey).toMatch(/^payments#create-payment#[\w-]{43}$/)
    expect(record.charges[0].gatewayKey).toBe(sha256(`${record.recordKey}#gateway`))
    const stored = JSON.stringify([
      await scanAll(db, fast.tables.idempotency),
      await scanAll(db, fast.tables.gatewayLedger),
    ])
    expect(stored).toContain(record.recordKey)
    expect(stored).not.toContain(key)
  })

  it('counts the replay, the conflict and the mismatch on the key that saw them, with its one charge', async () => {
    const client = apiClient(slow.url)
    const key = freshKey()
    const before = (await consoleState(slow)).summary
    const first = client.pay({ key })
    await waitForClaim(db, slow.tables.idempotency)
    const held = recordSentWith(await consoleState(slow), key)
    expect(held.state).toBe('IN_PROGRESS')
    expect(held.leaseRemainingMs).toBeGreaterThan(0)
    expect(held.leaseRemainingMs).toBeLessThanOrEqual(LOCAL_LEASE_MS)
    expect((await client.pay({ key })).status).toBe(409)
    expect((await first).status).toBe(201)
    expect((await client.pay({ key })).headers.get('idempotent-replayed')).toBe('true')
    expect((await client.pay({ key, body: { ...festivalSale, amount: 1 } })).status).toBe(422)

    const state = await consoleState(slow)
    expect(recordSentWith(state, key)).toMatchObject({
      state: 'COMPLETED',
      outcomes: { fresh: 1, conflict: 1, replay: 1, mismatch: 1 },
      charges: [{ gatewayCalls: 1 }],
    })
    expect(state.summary).toMatchObject({
      keys: before.keys + 1,
      charges: before.charges + 1,
      keysWithMoreThanOneCharge: 0,
      replays: before.replays + 1,
      conflicts: before.conflicts + 1,
      mismatches: before.mismatches + 1,
    })
  })

  it('shows a record past its retention as expired, with no sent key: the store only has hashes', async () => {
    const recordKey = `payments#create-payment#${sha256(freshKey())}`
    const longAgoEpochMs = Date.now() - 2 * 24 * 60 * 60 * 1000
    await db.send(
      new PutItemCommand({
        TableName: fast.tables.idempotency,
        Item: toItem({
          key: recordKey,
          status: 'COMPLETED',
          token: freshKey(),
          fingerprint: 'f',
          expiresAtEpochSeconds: Math.floor(longAgoEpochMs / 1000) + 60,
          completedAtEpochMs: longAgoEpochMs,
          result: { encoding: 'undefined' },
        }),
      }),
    )
    const state = await consoleState(fast)
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const record = state.records.find((r: any) => r.recordKey === recordKey)
    expect(record).toMatchObject({ state: 'expired', sentKeys: [], outcomes: {}, charges: [] })
  })

  it('refuses a request whose Host is not this machine, so no other site can read the sent keys', async () => {
    const { port } = new URL(fast.url)
    for (const path of ['/_local/console/state', '/_local/']) {
      expect(await statusWithHost(fast.url, path, `attacker.example:${port}`)).toBe(403)
      expect(await statusWithHost(fast.url, path, `localhost:${port}`)).toBe(200)
    }
  })

  it("keeps the page's once-a-second poll out of the request log, which stays for the API's own requests", async () => {
    await consoleState(fast)
    await apiClient(fast.url).pay({ user: freshUser(), key: freshKey() })
    await consoleState(fast)
    expect(fast.logs.some((line) => line.startsWith('POST /payments 201'))).toBe(true)
    expect(fast.logs.filter((line) => line.includes('/_local/console/state'))).toEqual([])
  })

  it('serves the page and its script and style from files, with a policy that allows nothing else', async () => {
    const client = apiClient(fast.url)
    for (const [path, type] of [
      ['/_local/', 'text/html'],
      ['/_local/console.js', 'text/javascript'],
      ['/_local/console.css', 'text/css'],
    ] as const) {
      const answer = await client.send('GET', path)
      expect(answer.status).toBe(200)
      expect(answer.headers.get('content-type')).toContain(type)
      expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'")
    }
  })
})

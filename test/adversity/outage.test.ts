import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type DynamoDBLocal,
  localDynamoDBClientConfig,
  startDynamoDBLocal,
} from '../../scripts/dynamodb-local.js'
import { DEFAULT_LOCAL_TABLES } from '../../scripts/local-api/tables.js'
import { type LocalApi, startLocalApi } from '../../scripts/local-api.js'
import { type Answer, apiClient, freshKey, problemCode, waitForClaim } from '../support/local-api.js'

const dbPath = mkdtempSync(join(tmpdir(), 'adversity-outage-'))
const databases: DynamoDBLocal[] = []
let api: LocalApi | undefined
/** Slow enough that requests sent just before the outage are still charging when the store dies. */
const GATEWAY_LATENCY_MS = 1_000
/** Two DynamoDB Local start-ups, a lease of the local functions' 10 s plus 2 s to run out, on a loaded machine. */
const DRILL_TIMEOUT_MS = 240_000

afterAll(async () => {
  await api?.stop()
  await Promise.all(databases.map((db) => db.stop()))
  rmSync(dbPath, { recursive: true, force: true })
})

async function startDatabase(port?: number): Promise<DynamoDBLocal> {
  const db = await startDynamoDBLocal({ dbPath, port })
  databases.push(db)
  return db
}

const amountOf = (index: number) => 10_000 + index
const body = (index: number) => ({ amount: amountOf(index), currency: 'INR', description: `outage ${index}` })

/** A client that honours Retry-After on 409 and 503, as the problem details ask, until a final answer. */
async function payUntilAnswered(
  client: ReturnType<typeof apiClient>,
  key: string,
  index: number,
): Promise<Answer> {
  for (;;) {
    const answer = await client.pay({ key, body: body(index) })
    if (answer.status !== 409 && answer.status !== 503) return answer
    await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after') ?? 1) * 1000))
  }
}

describe('a store outage: DynamoDB Local stopped under the running local API, then restarted on its data', () => {
  it(
    'answers 503 without running a handler while it is down, then resumes with every key charged once and every earlier payment replayed',
    async () => {
      const first = await startDatabase()
      api = await startLocalApi({
        port: 0,
        endpoint: first.endpoint,
        gatewayLatencyMs: GATEWAY_LATENCY_MS,
        log: () => {},
      })
      const client = apiClient(api.url)
      const keys = Array.from({ length: 9 }, () => freshKey())

      // Before: three payments complete.
      const before = await Promise.all([0, 1, 2].map((i) => client.pay({ key: keys[i], body: body(i) })))
      expect(before.map((answer) => answer.status)).toEqual([201, 201, 201])

      // Three more are charging when the store goes away.
      const inFlight = [3, 4, 5].map((i) => client.pay({ key: keys[i], body: body(i) }))
      const observer = new DynamoDBClient(localDynamoDBClientConfig(first.endpoint))
      await waitForClaim(observer, DEFAULT_LOCAL_TABLES.idempotency)
      observer.destroy()
      await first.stop()

      // During: new requests and retries of the completed ones are refused before any handler runs.
      const during = await Promise.all([0, 6, 7, 8].map((i) => client.pay({ key: keys[i], body: body(i) })))
      for (const answer of during) {
        expect(answer.status).toBe(503)
        expect(problemCode(answer)).toBe('store-unavailable')
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      }
      // Those in flight finish if the store outlived their charge, else fail as problem+json (the simulated
      // gateway's ledger lives in the same DynamoDB Local, so its charge fails too: a 502).
      for (const answer of await Promise.all(inFlight)) {
        if (answer.status === 201) continue
        expect(answer.status).toBeGreaterThanOrEqual(500)
        expect(answer.headers.get('content-type')).toBe('application/problem+json')
      }

      // After: the same data folder and port; the API's client reconnects by itself.
      await startDatabase(first.port)
      const replays = await Promise.all([0, 1, 2].map((i) => payUntilAnswered(client, keys[i] as string, i)))
      replays.forEach((replay, i) => {
        expect(replay.status).toBe(201)
        expect(replay.headers.get('idempotent-replayed')).toBe('true')
        expect(replay.text).toBe(before[i]?.text)
      })
      // The in-flight keys stay held until their lease ends, then charge; the refused ones charge at once.
      const after = await Promise.all(
        [3, 4, 5, 6, 7, 8].map((i) => payUntilAnswered(client, keys[i] as string, i)),
      )
      expect(after.map((answer) => answer.status)).toEqual(Array(6).fill(201))

      const charges = await client.charges()
      for (const index of keys.keys()) {
        const forKey = charges.filter((charge) => charge.amount === amountOf(index))
        expect(forKey, `key ${index}`).toHaveLength(1)
      }
      expect(new Set(after.map((answer) => answer.json.chargeId)).size).toBe(6)
    },
    DRILL_TIMEOUT_MS,
  )
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type LocalApi, startLocalApi } from '../../scripts/local-api.js'
import { apiClient, freshKey } from '../support/local-api.js'

const dbPath = mkdtempSync(join(tmpdir(), 'sample-restart-'))
const running: LocalApi[] = []
/** Two DynamoDB Local (Java) start-ups in one test: generous, since a loaded CI machine starts Java slowly. */
const RESTART_TEST_TIMEOUT_MS = 180_000

/** Its own DynamoDB Local on a data folder, as `npm start` runs by default, so a restart keeps the data. */
async function start(): Promise<LocalApi> {
  const api = await startLocalApi({ port: 0, dbPath, log: () => undefined })
  running.push(api)
  return api
}

afterAll(async () => {
  await Promise.all(running.map((api) => api.stop()))
  rmSync(dbPath, { recursive: true, force: true })
})

describe('the local API restarted on the same data folder', () => {
  it(
    'replays the payment made before the restart, still with one charge, and still serves it',
    async () => {
      const key = freshKey()
      const before = await start()
      const first = await apiClient(before.url).pay({ key })
      expect(first.status).toBe(201)
      await before.stop()

      const after = await start()
      const client = apiClient(after.url)
      const replay = await client.pay({ key })
      expect(replay.status).toBe(201)
      expect(replay.headers.get('idempotent-replayed')).toBe('true')
      expect(replay.text).toBe(first.text)
      expect((await client.getPayment('asha', first.headers.get('location') as string)).json).toEqual(
        first.json,
      )
      expect(await client.charges()).toMatchObject([{ chargeId: first.json.chargeId, requests: 1 }])
    },
    RESTART_TEST_TIMEOUT_MS,
  )
})

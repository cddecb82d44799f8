import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { failures, formatReport } from '../../scripts/load/report.js'
import { runLoad } from '../../scripts/load-test.js'
import { startTestApi, type TestApi } from '../support/local-api.js'
import { LONG_RUN } from '../support/run-size.js'

let api: TestApi

beforeAll(async () => {
  api = await startTestApi({ gatewayLatencyMs: 20 })
})
afterAll(() => api?.stop())

/** CI: 300 payments over 30 keys; the long run 3,000 over 300 (`npm run load` sends 5,000 over 500). */
const SCALE = LONG_RUN ? 10 : 1

describe('load through the local API, CI-sized (npm run load runs 5,000 payments)', () => {
  it(
    'charges every key exactly once under duplicates, client aborts and retries, with no 5xx',
    async () => {
      const seed = Date.now() % 1_000_000
      const report = await runLoad({
        url: api.url,
        requests: 300 * SCALE,
        keys: 30 * SCALE,
        concurrency: 16,
        abortRate: 0.2,
        // Up to 40 ms: aborts land before, during and after the 20 ms charge.
        maxAbortAfterMs: 40,
        seed,
      })
      const summary = `seed ${seed}\n${formatReport(report)}`
      expect(failures(report), summary).toEqual([])
      expect(report.aborted, summary).toBeGreaterThan(0)
      expect(report.replays, summary).toBeGreaterThan(0)
      expect(report.keys - report.keysWithoutPayment, summary).toBe(30 * SCALE)
    },
    120_000 * SCALE,
  )
})

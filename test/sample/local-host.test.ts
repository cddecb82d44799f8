import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uniqueTableName } from '../support/dynamodb.js'
import { apiClient, freshKey, freshUser, startTestApi, type TestApi } from '../support/local-api.js'
import { requestWithHost } from '../support/raw-http.js'

/**
 * The whole `/_local` space steers and reads the simulation (fault and crash switches, charges, payouts,
 * transfers, the console): a page elsewhere that rebinds its name to 127.0.0.1 must reach none of it.
 */
let api: TestApi
let port: string

beforeAll(async () => {
  api = await startTestApi({
    events: true,
    payoutTables: { payouts: uniqueTableName('host-payouts'), bankLedger: uniqueTableName('host-bank') },
  })
  port = new URL(api.url).port
})
afterAll(() => api?.stop())

const LOCAL_ROUTES = [
  { method: 'GET', path: '/_local/health' },
  { method: 'GET', path: '/_local/gateway/charges' },
  { method: 'POST', path: '/_local/gateway/faults', body: '{"failNext":1}' },
  { method: 'GET', path: '/_local/fulfilments' },
  { method: 'POST', path: '/_local/outbox/faults', body: '{"duplicateNext":1}' },
  { method: 'GET', path: '/_local/payouts' },
  { method: 'GET', path: '/_local/bank/transfers' },
  { method: 'POST', path: '/_local/payouts/crashes', body: '{"afterBankCall":1}' },
  { method: 'GET', path: '/_local/console/state' },
  { method: 'POST', path: '/_local/jobs/daily-totals', body: '{"date":"2024-05-01","crashAfterRows":0}' },
  { method: 'GET', path: '/_local/reports/daily-totals?date=2024-05-01' },
  { method: 'POST', path: '/_local/jobs/daily-totals-append', body: '{"date":"2024-05-01"}' },
  { method: 'GET', path: '/_local/reports/daily-totals-append?date=2024-05-01' },
  { method: 'GET', path: '/_local/' },
  { method: 'GET', path: '/_local/no-such-route' },
] as const

describe('the local API under a Host that is not this machine', () => {
  it('refuses every /_local route, reads and switches alike, with a 403 problem+json that says why', async () => {
    for (const route of LOCAL_ROUTES) {
      const answer = await requestWithHost(api.url, { ...route, host: `attacker.example:${port}` })
      expect(answer.status, `${route.method} ${route.path}`).toBe(403)
      expect(answer.contentType).toBe('application/problem+json')
      const problem = JSON.parse(answer.body)
      expect(problem.type).toMatch(/functions\/problems\.md#local-only$/)
      expect(problem.detail).toContain('127.0.0.1')
    }
  })

  it('flips no switch on a refused POST: the next payment is charged as if it never came', async () => {
    const refused = await requestWithHost(api.url, {
      method: 'POST',
      path: '/_local/gateway/faults',
      host: `rebound.example:${port}`,
      body: '{"failNext":1}',
    })
    expect(refused.status).toBe(403)
    expect((await apiClient(api.url).pay({ user: freshUser(), key: freshKey() })).status).toBe(201)
  })

  it('answers the same routes addressed to 127.0.0.1, localhost or [::1]', async () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const health = await requestWithHost(api.url, {
        method: 'GET',
        path: '/_local/health',
        host: `${host}:${port}`,
      })
      expect(health.status, host).toBe(200)
      const faults = await requestWithHost(api.url, {
        method: 'POST',
        path: '/_local/gateway/faults',
        host: `${host}:${port}`,
        body: '{"failNext":0}',
      })
      expect(faults.status, host).toBe(200)
    }
  })

  it("leaves the API's own routes to any Host, as API Gateway does: they answer with their own checks", async () => {
    const answer = await requestWithHost(api.url, {
      method: 'GET',
      path: '/payments/pay_unknown',
      host: `api.example.com:${port}`,
    })
    expect(answer.status).toBe(401)
  })
})

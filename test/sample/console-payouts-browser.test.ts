import { randomUUID } from 'node:crypto'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { launchChromium, rowsOf } from '../support/browser.js'
import { uniqueTableName } from '../support/dynamodb.js'
import {
  type Answer,
  apiClient,
  freshKey,
  freshUser,
  startTestApi,
  type TestApi,
} from '../support/local-api.js'

/** Several polls of the page once the payout is paid; the payout itself is waited for through the API. */
const PAGE_TIMEOUT_MS = 10_000
/** Reserve, transfer, the 1 s settlement and the record, with room for a busy machine. */
const PAYOUT_TIMEOUT_MS = 25_000

let api: TestApi
let browser: Browser

beforeAll(async () => {
  ;[browser, api] = await Promise.all([
    launchChromium(),
    startTestApi({
      payoutTables: {
        payouts: uniqueTableName('sample-payouts'),
        bankLedger: uniqueTableName('sample-bank'),
      },
      payoutSettlementSeconds: 1,
    }),
  ])
})
afterAll(async () => {
  await Promise.all([api?.stop(), browser?.close()])
})

const eventually = (check: () => Promise<void>, timeout = PAGE_TIMEOUT_MS) =>
  vi.waitFor(check, { timeout, interval: 100 })

describe('payouts on the local console at /_local/, in a browser', () => {
  it('shows one payout and one bank transfer for a payout POSTed twice with one key, once it is paid', async () => {
    const client = apiClient(api.url)
    const user = freshUser()
    const key = freshKey()
    const body = { accountId: `acct_${randomUUID().slice(0, 8)}`, amount: 250_000, currency: 'INR' }
    const page = await browser.newPage()
    await page.goto(`${api.url}/_local/`)
    const table = page.getByRole('table', { name: /payouts/i })

    const answers: Answer[] = [await client.payout(user, key, body), await client.payout(user, key, body)]
    expect(answers.map((answer) => answer.status)).toEqual([202, 202])
    const operationId = (answers[0]?.headers.get('location') ?? '').split('/').pop() as string
    await eventually(async () => {
      const done = await client.send('GET', `/operations/${operationId}`, {
        headers: { Authorization: `Bearer ${user}` },
      })
      expect(done.json?.status).toBe('succeeded')
    }, PAYOUT_TIMEOUT_MS)

    await eventually(async () => {
      const rows = (await rowsOf(table)).filter((row) =>
        row['Idempotency-Key sent (memory only)']?.includes(key),
      )
      expect(rows).toHaveLength(1)
      const [row] = rows as [Record<string, string>]
      expect(row['Operation id']).toContain(operationId)
      expect(row.Caller).toBe(user)
      expect(row.State).toMatch(/^paid\b/)
      expect(row.Payout).toMatch(/^po_[\w-]+/)
      expect(row.Payout).toContain('2,500.00')
      expect(row['Bank transfers']).toMatch(/^1 transfer\b/)
      expect(row['Bank transfers']).toContain('1 bank request')
      const panel = page.getByRole('region', { name: 'Payouts' })
      const terms = await panel.getByRole('term').allTextContents()
      const values = await panel.getByRole('definition').allTextContents()
      expect(Object.fromEntries(terms.map((term, i) => [term.trim(), values[i]?.trim()]))).toEqual({
        Payouts: '1',
        'Bank transfers': '1',
        'Keys with more than one transfer': '0',
      })
    })
  })
})

describe('payouts on the local console when this Node.js cannot run them', () => {
  it('says payouts are unavailable and why, instead of erroring', async () => {
    const old = await startTestApi({ payoutsNodeVersion: '20.20.2' })
    try {
      const page = await browser.newPage()
      await page.goto(`${old.url}/_local/`)
      const panel = page.getByRole('region', { name: 'Payouts' })
      await eventually(async () => {
        expect(await panel.getByRole('status').textContent()).toMatch(/unavailable.*Node\.js 22 or later/s)
        expect(await panel.getByRole('table').count()).toBe(0)
      })
      // The rest of the page still works: the keys table reads its state.
      expect(await page.getByText(/^Updated \d/).isVisible()).toBe(true)
    } finally {
      await old.stop()
    }
  })
})

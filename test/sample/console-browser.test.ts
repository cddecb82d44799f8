import { statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { launchChromium, rowsOf } from '../support/browser.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import {
  apiClient,
  festivalSale,
  freshKey,
  startTestApi,
  type TestApi,
  waitForClaim,
} from '../support/local-api.js'

/**
 * 3 s per charge: the page polls once a second, so it surely shows the key IN_PROGRESS while the first request
 * charges, and the twin sent with it surely meets it running.
 */
const SLOW_GATEWAY_MS = 3_000
/** Several polls of the page: what it shows once the requests have settled. */
const PAGE_TIMEOUT_MS = 10_000
/** Where the test leaves its screenshot of the console, to look at. */
const SCREENSHOT_PATH = join(tmpdir(), 'lambda-idempotency-console.png')

const db = testDynamoDBClient()
let api: TestApi
let browser: Browser

beforeAll(async () => {
  ;[browser, api] = await Promise.all([launchChromium(), startTestApi({ gatewayLatencyMs: SLOW_GATEWAY_MS })])
})
afterAll(async () => {
  await Promise.all([api?.stop(), browser?.close()])
  db.destroy()
})

/** The summary's terms and their values. */
async function summaryOf(page: Page): Promise<Record<string, string>> {
  const summary = page.getByRole('region', { name: 'Summary' })
  const terms = await summary.getByRole('term').allInnerTexts()
  const values = await summary.getByRole('definition').allInnerTexts()
  return Object.fromEntries(terms.map((term, i) => [term.trim(), values[i]?.trim() ?? '']))
}

const eventually = (check: () => Promise<void>) =>
  vi.waitFor(check, { timeout: PAGE_TIMEOUT_MS, interval: 100 })

describe('the local console at /_local/, in a browser', () => {
  it('shows one key with one charge, its conflict, replay and mismatch, and the key the client sent', async () => {
    const page = await browser.newPage()
    await page.goto(`${api.url}/_local/`)
    const table = page.getByRole('table', { name: /idempotency records/i })
    const client = apiClient(api.url)
    const key = freshKey()

    const twins = Promise.all([client.pay({ key }), client.pay({ key })])
    await waitForClaim(db, api.tables.idempotency)
    await eventually(async () => {
      const [row] = await rowsOf(table)
      expect(row?.State).toMatch(/^IN_PROGRESS\b.*lease \d+ s left/s)
      expect(row?.['Idempotency-Key sent (memory only)']).toContain(key)
    })
    expect((await twins).map((answer) => answer.status).sort()).toEqual([201, 409])
    expect((await client.pay({ key })).headers.get('idempotent-replayed')).toBe('true')
    expect((await client.pay({ key, body: { ...festivalSale, amount: 1 } })).status).toBe(422)

    await eventually(async () => {
      const rows = await rowsOf(table)
      expect(rows).toHaveLength(1)
      const [row] = rows as [Record<string, string>]
      expect(row.State).toMatch(/^COMPLETED\b/)
      expect(row['Record key (hashed, as stored)']).toMatch(/^payments#create-payment#[\w-]{12}…$/)
      expect(row['Record key (hashed, as stored)']).not.toContain(key)
      expect(row.Caller).toBe('asha')
      for (const outcome of ['fresh: 1', 'conflict: 1', 'replay: 1', 'mismatch: 1'])
        expect(row.Outcomes).toContain(outcome)
      expect(row['Gateway charges']).toMatch(/^1 charge\b/)
      expect(row['Gateway charges']).toContain('1 gateway call')
      expect(await summaryOf(page)).toMatchObject({
        Keys: '1',
        Charges: '1',
        'Keys with more than one charge': '0',
        Replays: '1',
        Conflicts: '1',
        Mismatches: '1',
      })
    })
    await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true })
    expect(statSync(SCREENSHOT_PATH).size).toBeGreaterThan(0)
  })

  it('refreshes without taking the focus from where the reader put it', async () => {
    const page = await browser.newPage()
    await page.goto(`${api.url}/_local/`)
    const updating = page.getByRole('checkbox', { name: /update every second/i })
    await updating.focus()
    // Not a live region: announcing the time every second would drown a screen reader.
    const updated = page.getByText(/^Updated \d/)
    const first = await updated.textContent()
    await eventually(async () => expect(await updated.textContent()).not.toBe(first))
    expect(await updating.evaluate((element) => element.matches(':focus'))).toBe(true)
    expect(await updating.isChecked()).toBe(true)
  })
})

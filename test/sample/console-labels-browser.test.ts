import { randomUUID } from 'node:crypto'
import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { toItem } from '../../lib/dynamodb/item.js'
import { sha256 } from '../../lib/store/index.js'
import { launchChromium, rowsOf } from '../support/browser.js'
import { testDynamoDBClient, uniqueTableName } from '../support/dynamodb.js'
import { apiClient, freshKey, freshUser, startTestApi, type TestApi } from '../support/local-api.js'

/**
 * The console's labels, read as a person reads them: each record under the name of the function that keeps it,
 * and a lease in the units a person counts in ("1 d 0 h", "14 min 59 s"), never "86401 s".
 */
/** Long enough that the page surely shows the payout's workflow waiting on the bank, its claim held. */
const SETTLEMENT_SECONDS = 6
const PAGE_TIMEOUT_MS = 10_000

const db = testDynamoDBClient()
let api: TestApi
let browser: Browser

beforeAll(async () => {
  ;[browser, api] = await Promise.all([
    launchChromium(),
    startTestApi({
      payoutTables: {
        payouts: uniqueTableName('labels-payouts'),
        bankLedger: uniqueTableName('labels-bank'),
      },
      payoutSettlementSeconds: SETTLEMENT_SECONDS,
    }),
  ])
})
afterAll(async () => {
  await Promise.all([api?.stop(), browser?.close()])
  db.destroy()
})

const eventually = (check: () => Promise<void>) =>
  vi.waitFor(check, { timeout: PAGE_TIMEOUT_MS, interval: 100 })

async function keysTable(): Promise<{ page: Page; rows: () => Promise<Record<string, string>[]> }> {
  const page = await browser.newPage()
  await page.goto(`${api.url}/_local/`)
  const table = page.getByRole('table', { name: /idempotency records/i })
  return { page, rows: () => rowsOf(table) }
}

const RECORD_KEY = 'Record key (hashed, as stored)'

describe('the local console’s labels, in a browser', () => {
  it("shows a running payout's durable record under its function's name, its day-long lease in days and hours", async () => {
    const { rows } = await keysTable()
    const body = { accountId: `acct_${randomUUID().slice(0, 8)}`, amount: 250_000, currency: 'INR' }
    expect((await apiClient(api.url).payout(freshUser(), freshKey(), body)).status).toBe(202)

    await eventually(async () => {
      const workflow = (await rows()).filter((row) => row[RECORD_KEY]?.startsWith('payouts#payout-workflow#'))
      expect(workflow).toHaveLength(1)
      expect(workflow[0]?.State).toMatch(/^IN_PROGRESS\b.*lease 1 d 0 h left/s)
    })
    const all = (await rows()).map((row) => row[RECORD_KEY])
    expect(all.filter((key) => key?.startsWith('my-function-name'))).toEqual([])
  })

  it('shows a lease of minutes in minutes and seconds', async () => {
    const recordKey = `payments#create-payment#${sha256(freshKey())}`
    const nowEpochMs = Date.now()
    await db.send(
      new PutItemCommand({
        TableName: api.tables.idempotency,
        Item: toItem({
          key: recordKey,
          status: 'IN_PROGRESS',
          token: freshKey(),
          fingerprint: 'f',
          leaseUntilEpochMs: nowEpochMs + 899_500,
          expiresAtEpochSeconds: Math.floor(nowEpochMs / 1000) + 86_400,
        }),
      }),
    )
    const { rows } = await keysTable()
    await eventually(async () => {
      const row = (await rows()).find((candidate) => candidate[RECORD_KEY]?.startsWith('payments#'))
      expect(row?.State).toMatch(/lease 14 min 5\d s left/)
    })
  })
})

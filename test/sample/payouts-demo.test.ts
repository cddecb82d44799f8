import { validate, version } from 'uuid'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { payoutStory } from '../../scripts/demo-payouts.js'
import { uniqueTableName } from '../support/dynamodb.js'
import { apiClient, startTestApi, type TestApi } from '../support/local-api.js'

let api: TestApi

beforeAll(async () => {
  api = await startTestApi({
    payoutTables: { payouts: uniqueTableName('demo-payouts'), bankLedger: uniqueTableName('demo-bank') },
    payoutSettlementSeconds: 1,
  })
})
afterAll(() => api?.stop())

it('tells the payout story of npm run demo: one transfer per payout, the killed one resumed with two bank calls', async () => {
  const lines: string[] = []

  const { problems, told } = await payoutStory(apiClient(api.url), (line) => lines.push(line))

  expect(problems).toEqual([])
  expect(told).toBe(true)
  expect(lines.join('\n')).toMatch(/killed and resumed\s+transfers 1, bank calls 2, payouts paid 1/)
  expect(lines.join('\n')).toMatch(/supplier \(retried\)\s+transfers 1, bank calls 1, payouts paid 1/)
})

it('sends UUIDv7 keys made with the uuid package, as the docs tell clients to', async () => {
  await payoutStory(apiClient(api.url), () => undefined)
  const state = (await apiClient(api.url).send('GET', '/_local/console/state')).json
  const sent: string[] = state.records.flatMap((record: { sentKeys: { idempotencyKey: string }[] }) =>
    record.sentKeys.map((sentKey) => sentKey.idempotencyKey),
  )
  expect(sent.length).toBeGreaterThan(0)
  expect(sent.filter((key) => !(validate(key) && version(key) === 7))).toEqual([])
})

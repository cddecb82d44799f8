import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { dailyTotalsStory } from '../../scripts/demo-daily-totals.js'
import { apiClient, startTestApi } from '../support/local-api.js'
import { dropTestSchema, testPool } from '../support/postgres.js'

const pool = testPool(2)
const schema = `jobs_demo_${randomUUID().replaceAll('-', '')}`
afterAll(async () => {
  await dropTestSchema(pool, schema)
  await pool.end()
})

describe.each([
  ['npm start', {}],
  ['npm start -- --postgres', { postgres: { url: inject('databaseUrl'), schema } }],
] as const)('the daily totals chapters of npm run demo against %s', (_name, options) => {
  it('tell their story without a problem, and again on the same day, when the date has run before', async () => {
    const api = await startTestApi(options)
    try {
      const lines: string[] = []
      expect(await dailyTotalsStory(apiClient(api.url), (line) => lines.push(line))).toEqual([])
      expect(lines.join('\n')).toMatch(/append, run twice +→ 2 rows, then 4/)
      expect(lines.join('\n')).toContain('500 job-crashed')
      expect(await dailyTotalsStory(apiClient(api.url), () => undefined)).toEqual([])
    } finally {
      await api.stop()
    }
  })
})

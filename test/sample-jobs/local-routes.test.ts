import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Payment } from '../../functions/shared/payments.js'
import {
  type Answer,
  apiClient,
  freshKey,
  problemCode,
  startTestApi,
  type TestApi,
} from '../support/local-api.js'
import { dropTestSchema, testPool } from '../support/postgres.js'
import { expectedTotals } from './backends.js'

const pool = testPool(2)
const schema = `jobs_api_${randomUUID().replaceAll('-', '')}`
afterAll(async () => {
  await dropTestSchema(pool, schema)
  await pool.end()
})

describe.each([
  ['npm start (DynamoDB)', {}],
  ['npm start -- --postgres', { postgres: { url: inject('databaseUrl'), schema } }],
] as const)('the daily totals routes of %s', (_name, options) => {
  let api: TestApi
  beforeAll(async () => {
    api = await startTestApi(options)
  })
  afterAll(() => api?.stop())

  const post = (path: string, body: unknown) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  const runJob = async (body: unknown) => answerOf(await post('/_local/jobs/daily-totals', body))
  const report = async (date: string) =>
    answerOf(await fetch(`${api.url}/_local/reports/daily-totals?date=${encodeURIComponent(date)}`))

  /** Every payment this API made: each test's day holds the earlier tests' payments too. */
  const paid: Payment[] = []

  /** Three payments through POST /payments, one of them declined; what a clean run of their day holds. */
  async function paidToday() {
    const client = apiClient(api.url)
    const sent = [
      { amount: 6_000_000, currency: 'INR' },
      { amount: 402, currency: 'INR' }, // declined
      { amount: 1_999, currency: 'EUR' },
    ]
    const payments = paid
    for (const body of sent) {
      const answer = await client.pay({ key: freshKey(), body })
      payments.push({
        owner: 'asha',
        status: answer.status === 201 ? 'succeeded' : 'declined',
        ...body,
        ...answer.json,
      })
    }
    const date = (payments.at(-1) as Payment).createdAt.slice(0, 10)
    return { date, clean: expectedTotals(payments, date) }
  }

  it('runs the job for a date, replays it, survives a crash and a forced re-run, and reports one clean run’s rows', async () => {
    const { date, clean } = await paidToday()
    expect(clean.map((row) => row.currency)).toEqual(['EUR', 'INR'])
    expect(await report(date)).toMatchObject({ status: 200, json: { date, rows: [] } })
    const first = await runJob({ date })
    expect(first).toMatchObject({ status: 200, json: { date, rows: 2, outcome: 'ran', reason: 'first' } })
    expect(first.json.runId).toEqual(expect.any(String))
    expect(await runJob({ date })).toMatchObject({
      status: 200,
      json: { date, rows: 2, outcome: 'replayed', runId: first.json.runId },
    })
    const crashed = await runJob({ date, force: true, crashAfterRows: 1 })
    expect(crashed.status).toBe(500)
    expect(problemCode(crashed)).toBe('job-crashed')
    expect((await report(date)).json).toEqual({ date, rows: clean })
    expect(await runJob({ date, force: true })).toMatchObject({
      status: 200,
      json: { outcome: 'ran', reason: 'forced' },
    })
    expect((await report(date)).json).toEqual({ date, rows: clean })
    // The console lists clients' keys: the job's runs, on the same table on DynamoDB, are none of them.
    const consoleState = await answerOf(await fetch(`${api.url}/_local/console/state`))
    expect(
      consoleState.json.records.map((record: { recordKey: string }) => record.recordKey),
    ).not.toContainEqual(expect.stringMatching(/^pipeline-run#/))
  })

  it('doubles the rows of the plain append run twice, which the job never does', async () => {
    const { date, clean } = await paidToday()
    await post('/_local/jobs/daily-totals-append', { date })
    const appended = await answerOf(await post('/_local/jobs/daily-totals-append', { date }))
    expect(appended.json.rows).toEqual(clean.flatMap((row) => [row, row]))
  })

  it('answers 400 problem+json to a date that is not a calendar date, and to a body it does not take', async () => {
    for (const body of [
      { date: '2024-02-30' },
      { date: 20240501 },
      { date: null },
      { date: '2024-05-01', forced: true },
      '[1]',
      '{',
    ])
      expect(problemCode(await runJob(body)), JSON.stringify(body)).toBe('local-request-invalid')
    const bad = await report('yesterday')
    expect(bad.status).toBe(400)
    expect(problemCode(bad)).toBe('local-request-invalid')
  })
})

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) }
}

import { v7 as uuidv7 } from 'uuid'
import type { Answer, localApiClient } from './local-api/client.js'

type Client = ReturnType<typeof localApiClient>
interface Total {
  readonly currency: string
  readonly count: number
  readonly amount: number
}

/** The shop's card sales abroad, so the day has more currencies than rupees. */
const ABROAD = [
  { amount: 2_500, currency: 'USD' },
  { amount: 1_200, currency: 'EUR' },
]

/** Late payments of the day, one declined (402 minor units is the simulated gateway's decline amount). */
const LATE_PAYMENTS = [
  { amount: 150_000, currency: 'INR' },
  { amount: 4_999, currency: 'EUR' },
  { amount: 402, currency: 'INR' },
]

/**
 * The settlement story: the day's payments totalled per currency by a job that can be re-run. A plain append run
 * twice doubles the day's rows; the job, run twice, forced, killed midway and re-run, or run twice at once,
 * leaves the rows of one clean run, and its totals grow by exactly the late payments. Returns what went wrong.
 */
export async function dailyTotalsStory(api: Client, say: (line: string) => void): Promise<string[]> {
  const problems: string[] = []
  const post = (path: string, body: unknown) =>
    api.send('POST', path, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  const report = async (date: string): Promise<Total[]> =>
    (await api.send('GET', `/_local/reports/daily-totals?date=${date}`)).json.rows
  const job = (body: Record<string, unknown>) => post('/_local/jobs/daily-totals', body)
  const line = (label: string, answer: Answer) => say(`   ${label.padEnd(24)} → ${outcomeOf(answer)}`)
  // Deployed, the scheduler runs yesterday; the demo's payments are today's, in UTC.
  const date = new Date().toISOString().slice(0, 10)

  say(
    `\n9. At midnight a job totals ${date}'s succeeded payments per currency. First, the naive way: append.`,
  )
  for (const body of ABROAD) await api.pay({ user: 'shop', key: uuidv7(), body })
  const appendedBefore = await appendedRows(api, date)
  const once = (await post('/_local/jobs/daily-totals-append', { date })).json.rows as Total[]
  const twice = (await post('/_local/jobs/daily-totals-append', { date })).json.rows as Total[]
  const added = once.length - appendedBefore
  say(`   append, run twice        → ${once.length} rows, then ${twice.length}: every currency counted again`)
  if (twice.length !== once.length + added) problems.push('The second append did not add the same rows again')

  say('\n10. The same totals by the daily totals job (pipelineJob, partition replace):')
  const first = await job({ date })
  line('run', first)
  if (first.json?.outcome === 'replayed') {
    // An earlier demo run did this date: its totals miss today's later payments until a forced run.
    line('(done before) run, force', await job({ date, force: true }))
  }
  line('run again', await job({ date }))
  const before = await report(date)
  const late = []
  for (const body of LATE_PAYMENTS) late.push(await api.pay({ user: 'shop', key: uuidv7(), body }))
  say(`   ${LATE_PAYMENTS.length} late payments arrive, one declined; a run now would replay. Force it:`)
  line('run, force', await job({ date, force: true }))
  const clean = await report(date)
  line('force, killed at 1 row', await job({ date, force: true, crashAfterRows: 1 }))
  const afterCrash = await report(date)
  line('run again, force', await job({ date, force: true }))
  const twoAtOnce = await Promise.all([job({ date, force: true }), job({ date, force: true })])
  for (const [index, answer] of twoAtOnce.entries()) line(`two at once, #${index + 1}`, answer)
  const after = await report(date)

  const expected = grownBy(
    before,
    late.filter((answer) => answer.status === 201).map((answer) => answer.json),
  )
  say(`\nThe day's rows (GET /_local/reports/daily-totals?date=${date}):`)
  for (const row of after)
    say(
      `   ${row.currency}  ${String(row.count).padStart(4)} payments  ${String(row.amount).padStart(12)} (minor units)`,
    )
  if (!same(clean, expected))
    problems.push('The forced run’s totals are not the earlier ones plus the late payments')
  if (!same(afterCrash, clean)) problems.push('A run killed midway changed what the day shows')
  if (!same(after, clean)) problems.push('Re-runs changed the rows of one clean run')
  if (!twoAtOnce.some((answer) => answer.status === 200)) problems.push('Neither of two runs at once ran')
  say('   One clean run’s rows after every re-run, and the late payments counted once.')
  return problems
}

function outcomeOf(answer: Answer): string {
  const code = String(answer.json?.type ?? '').split('#')[1]
  if (code) return `${answer.status} ${code}${code === 'job-crashed' ? ': none of its rows visible' : ''}`
  const { outcome, reason, rows } = answer.json ?? {}
  return `${answer.status} ${outcome}${reason ? ` (${reason})` : ''}, ${rows} rows`
}

async function appendedRows(api: Client, date: string): Promise<number> {
  return ((await api.send('GET', `/_local/reports/daily-totals-append?date=${date}`)).json.rows as Total[])
    .length
}

/** The totals with the succeeded late payments added, computed here from the payments the API answered. */
function grownBy(
  totals: readonly Total[],
  payments: readonly { currency: string; amount: number }[],
): Total[] {
  const byCurrency = new Map(totals.map((row) => [row.currency, row]))
  for (const { currency, amount } of payments) {
    const row = byCurrency.get(currency) ?? { currency, count: 0, amount: 0 }
    byCurrency.set(currency, { currency, count: row.count + 1, amount: row.amount + amount })
  }
  return [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1))
}

const same = (a: readonly Total[], b: readonly Total[]) => JSON.stringify(a) === JSON.stringify(b)

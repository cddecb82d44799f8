import {
  type DailyTotalsEvent,
  dailyTotalsJob,
  InvalidDateError,
  InvalidJobEventError,
  isCalendarDate,
  type LocalCrash,
  SimulatedCrash,
} from '../../functions/handlers/daily-totals.js'
import type { DailyTotals } from '../../functions/shared/daily-totals.js'
import { jsonResponse } from '../../functions/shared/problems.js'
import type { HttpResult } from '../../lib/http/index.js'
import { idempotencyProblem, problemResponse } from '../../lib/http/index.js'
import { isIdempotencyError } from '../../lib/index.js'
import { lambdaContext } from './lambda-context.js'
import { localProblem } from './problems.js'

/** 60 s: a timeout a deployed job would have; the run's lease is at least what remains of it. */
const LOCAL_JOB_TIMEOUT_MS = 60_000

const RUN_FIELDS = new Set(['date', 'force', 'crashAfterRows'])

export interface LocalDailyTotals {
  /** `POST /_local/jobs/daily-totals` and `GET /_local/reports/daily-totals`; undefined for any other route. */
  localRoute(route: string, body: Buffer, query: URLSearchParams): Promise<HttpResult | undefined>
}

/**
 * The daily totals job as the scheduler runs it, on the store the API uses (DynamoDB, or PostgreSQL under
 * `--postgres`), and its report as readers see it. `crashAfterRows` kills the run after that many rows: it
 * throws before completing, so nothing it wrote becomes visible and its claim is given back at once (a process
 * that really died leaves the claim to its lease; the tests show both).
 */
export function localDailyTotals(totals: DailyTotals, log: (line: string) => void): LocalDailyTotals {
  const run = dailyTotalsJob(totals)
  return {
    async localRoute(route, body, query) {
      if (route === 'GET /_local/reports/daily-totals') {
        const date = query.get('date')
        if (!isCalendarDate(date))
          return localProblem('local-request-invalid', 'Ask for ?date=YYYY-MM-DD, a calendar date (UTC).')
        return jsonResponse(200, { date, rows: await totals.read(date) })
      }
      if (
        route === 'GET /_local/reports/daily-totals-append' ||
        route === 'POST /_local/jobs/daily-totals-append'
      )
        return appendRoute(totals, route, body, query)
      if (route !== 'POST /_local/jobs/daily-totals') return undefined
      const request = runRequestIn(body)
      if (request === undefined)
        return localProblem(
          'local-request-invalid',
          'Send {"date": "YYYY-MM-DD"}, optionally with "force": true or "crashAfterRows": n (a whole number from 0); no other fields.',
        )
      try {
        const summary = await run(request.event, lambdaContext('daily-totals', LOCAL_JOB_TIMEOUT_MS), request)
        log(
          `daily-totals ${summary.date}: ${summary.outcome}${summary.reason ? ` (${summary.reason})` : ''}, ${summary.rows} rows`,
        )
        return jsonResponse(200, summary)
      } catch (error) {
        return refusal(error, request.event, log)
      }
    },
  }
}

/**
 * The counter-example: the same totals appended with no job and no pattern, as a first job often is. Run it
 * twice and the day's rows double.
 */
async function appendRoute(totals: DailyTotals, route: string, body: Buffer, query: URLSearchParams) {
  const date = route.startsWith('GET') ? query.get('date') : dateIn(body)
  if (!isCalendarDate(date))
    return localProblem('local-request-invalid', 'Send the date as YYYY-MM-DD, a calendar date (UTC).')
  if (route.startsWith('POST')) await totals.append(date, await totals.totalsOf(date))
  return jsonResponse(200, { date, rows: await totals.readAppended(date) })
}

function dateIn(body: Buffer): unknown {
  try {
    return (JSON.parse(body.toString('utf8')) as { date?: unknown } | null)?.date
  } catch {
    return undefined
  }
}

function refusal(error: unknown, event: DailyTotalsEvent, log: (line: string) => void): HttpResult {
  if (error instanceof InvalidDateError || error instanceof InvalidJobEventError)
    return localProblem('local-request-invalid', error.message)
  if (error instanceof SimulatedCrash) {
    log(`daily-totals ${event.date}: run killed after ${error.rows} rows`)
    return localProblem(
      'job-crashed',
      `The run of ${event.date} was killed after writing ${error.rows} rows, before it completed: none of them is visible at GET /_local/reports/daily-totals?date=${event.date}. Run the date again.`,
    )
  }
  // Another run holds the date: 409 in-progress with Retry-After, the toolkit's own problem.
  if (isIdempotencyError(error, 'in-progress')) return problemResponse(idempotencyProblem(error))
  throw error
}

function runRequestIn(body: Buffer): ({ event: DailyTotalsEvent } & LocalCrash) | undefined {
  let fields: unknown
  try {
    fields = JSON.parse(body.toString('utf8') || '{}')
  } catch {
    return undefined
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return undefined
  const { date, force, crashAfterRows } = fields as Record<string, unknown>
  // A typo (`forced`, `crashAfter`) must not run the job as if it were absent.
  if (Object.keys(fields).some((name) => !RUN_FIELDS.has(name))) return undefined
  if (force !== undefined && typeof force !== 'boolean') return undefined
  if (crashAfterRows !== undefined && !(Number.isInteger(crashAfterRows) && (crashAfterRows as number) >= 0))
    return undefined
  // The date is checked by the job itself, as the scheduler's would be: a bad one is its InvalidDateError.
  return {
    event: { ...(date !== undefined && { date: date as string }), ...(force !== undefined && { force }) },
    ...(crashAfterRows !== undefined && { crashAfterRows: crashAfterRows as number }),
  }
}

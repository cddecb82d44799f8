import { Logger } from '@aws-lambda-powertools/logger'
import type { Context } from 'aws-lambda'
import { type DailyTotalsEvent, type DailyTotalsSummary, dailyTotalsJob } from './handlers/daily-totals.js'
import { dailyTotalsFromEnvironment } from './shared/daily-totals.js'

const logger = new Logger({ serviceName: 'daily-totals' })
const runDailyTotals = dailyTotalsJob(dailyTotalsFromEnvironment())

/**
 * The daily settlement totals job, invoked by EventBridge Scheduler: with no date every night (yesterday, in
 * UTC), with `{ date }` for a backfill, with `{ date, force: true }` to re-run a finished date. A date run again
 * replays its summary; one already running fails with PartitionBusyError. The schedule invokes asynchronously, so
 * it is Lambda's own retries (twice, within six hours, then a dead-letter queue) that try such a date again, and a
 * second schedule at 06:15 UTC, past the lease of a run that died holding the day.
 */
export async function handler(event: DailyTotalsEvent, context: Context): Promise<DailyTotalsSummary> {
  logger.addContext(context)
  const summary = await runDailyTotals(event, context)
  logger.info('daily totals', { ...summary })
  return summary
}

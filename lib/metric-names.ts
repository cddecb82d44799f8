import type { IdempotencyOutcomeType } from './options.js'

/**
 * The CloudWatch metric each outcome is counted as, one count per outcome. Functions publish these names (with
 * Powertools Metrics, or any EMF writer) and `IdempotencyDashboard` in `lambda-idempotency/cdk` graphs and
 * alarms on them: both read this one table, so a dashboard cannot watch a name no function publishes.
 *
 * Replays and Conflicts are the retries the toolkit absorbed; StoreErrors, LeaseLost, ResultsNotStored and
 * TimedOut are the ones to alarm on (docs/operations.md says what each means and what to check first).
 */
export const OUTCOME_METRIC_NAMES: Readonly<Record<IdempotencyOutcomeType, string>> = {
  fresh: 'Executions',
  replay: 'Replays',
  conflict: 'Conflicts',
  mismatch: 'PayloadMismatches',
  released: 'KeysReleased',
  'lease-lost': 'LeaseLost',
  'store-error': 'StoreErrors',
  'result-not-stored': 'ResultsNotStored',
  'timed-out': 'TimedOut',
}

/**
 * The dimension Powertools Metrics puts on every metric, holding its `serviceName`. The dashboard reads each
 * outcome metric per value of this dimension.
 */
export const SERVICE_DIMENSION = 'service'

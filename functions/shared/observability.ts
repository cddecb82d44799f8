import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context } from 'aws-lambda'
import { type IdempotencyOutcome, type IdempotencyOutcomeType, logOutcomes } from '../../lib/index.js'

/** The CloudWatch namespace of the sample's metrics. */
export const METRICS_NAMESPACE = 'LambdaIdempotencySample'

/**
 * One count per outcome. Replays and Conflicts are the retries the toolkit absorbed; LeaseLost, StoreErrors and
 * ResultsNotStored are the ones to alarm on (a handler outrunning its lease, DynamoDB trouble, an oversize answer).
 */
export const OUTCOME_METRICS: Readonly<Record<IdempotencyOutcomeType, string>> = {
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

export interface Observability {
  readonly logger: Logger
  readonly metrics: Metrics
  /** Logs the outcome (hashed key only) and counts it. */
  readonly onOutcome: (outcome: IdempotencyOutcome) => void
}

/** Powertools Logger and Metrics (EMF) for one function, and the `onOutcome` that feeds both. */
export function observability(serviceName: string): Observability {
  const logger = new Logger({ serviceName })
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName })
  const log = logOutcomes(logger)
  return {
    logger,
    metrics,
    onOutcome(outcome) {
      log(outcome)
      metrics.addMetric(OUTCOME_METRICS[outcome.type], MetricUnit.Count, 1)
    },
  }
}

/**
 * Puts the request id on every log line and publishes the invocation's metrics as one EMF line, whatever the
 * handler's path. It wraps the Middy handler from outside, so replays (which end the Middy chain early) are
 * published too.
 */
export function observed<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  { logger, metrics }: Pick<Observability, 'logger' | 'metrics'>,
): (event: TEvent, context: Context) => Promise<TResult> {
  return async function observedHandler(event, context) {
    logger.addContext(context)
    try {
      return await handler(event, context)
    } finally {
      metrics.publishStoredMetrics()
    }
  }
}

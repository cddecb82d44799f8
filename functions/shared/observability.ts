import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context } from 'aws-lambda'
import { type IdempotencyOutcome, logOutcomes, OUTCOME_METRIC_NAMES } from '../../lib/index.js'
import { METRICS_NAMESPACE } from './metrics.js'

export interface Observability {
  readonly logger: Logger
  readonly metrics: Metrics
  /** Logs the outcome (hashed key only) and counts it. */
  readonly onOutcome: (outcome: IdempotencyOutcome) => void
}

/**
 * Powertools Logger and Metrics (EMF) for one function, and the `onOutcome` that feeds both: one count per
 * outcome, named by the toolkit's `OUTCOME_METRIC_NAMES`, which the stack's IdempotencyDashboard reads too.
 */
export function observability(serviceName: string): Observability {
  const logger = new Logger({ serviceName })
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName })
  const log = logOutcomes(logger)
  return {
    logger,
    metrics,
    onOutcome(outcome) {
      log(outcome)
      metrics.addMetric(OUTCOME_METRIC_NAMES[outcome.type], MetricUnit.Count, 1)
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

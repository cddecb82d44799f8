import { fulfilOrderHandler } from './handlers/fulfil-order.js'
import { fulfilmentDependenciesFromEnvironment } from './shared/environment.js'
import { SAMPLE_SERVICES } from './shared/metrics.js'
import { observability, observed } from './shared/observability.js'

const { logger, metrics, onOutcome } = observability(SAMPLE_SERVICES.fulfilOrder)

/**
 * Consumes the fulfilment queue (SQS event source with `reportBatchItemFailures`); the CDK stack sets the
 * environment. Per record: Executions for a fulfilment made, Replays for a repeated event skipped.
 */
export const handler = observed(
  fulfilOrderHandler(fulfilmentDependenciesFromEnvironment(), { logger, onOutcome }),
  { logger, metrics },
)

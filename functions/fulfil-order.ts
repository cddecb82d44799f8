import { fulfilOrderHandler } from './handlers/fulfil-order.js'
import { fulfilmentDependenciesFromEnvironment } from './shared/environment.js'
import { observability, observed } from './shared/observability.js'

const { logger, metrics, onOutcome } = observability('fulfil-order')

/**
 * Consumes the fulfilment queue (SQS event source with `reportBatchItemFailures`); the CDK stack sets the
 * environment. Per record: Executions for a fulfilment made, Replays for a repeated event skipped.
 */
export const handler = observed(
  fulfilOrderHandler(fulfilmentDependenciesFromEnvironment(), { logger, onOutcome }),
  { logger, metrics },
)

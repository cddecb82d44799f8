import { createPaymentHandler } from './handlers/create-payment.js'
import { dependenciesFromEnvironment } from './shared/environment.js'
import { SAMPLE_SERVICES } from './shared/metrics.js'
import { observability, observed } from './shared/observability.js'

const { logger, metrics, onOutcome } = observability(SAMPLE_SERVICES.createPayment)

/**
 * POST /payments behind API Gateway (HTTP API, JWT authorizer); the CDK stack sets the environment. Idempotency
 * outcomes go to Powertools Logger (hashed keys only) and Metrics: Replays, Conflicts, LeaseLost, ...
 */
export const handler = observed(createPaymentHandler(dependenciesFromEnvironment(), { logger, onOutcome }), {
  logger,
  metrics,
})

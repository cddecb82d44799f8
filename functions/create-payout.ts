import { createPayoutHandler } from './handlers/create-payout.js'
import { SAMPLE_SERVICES } from './shared/metrics.js'
import { observability, observed } from './shared/observability.js'
import { payoutApiDependenciesFromEnvironment } from './shared/payout-environment.js'

const { logger, metrics, onOutcome } = observability(SAMPLE_SERVICES.createPayout)

/** POST /payouts behind API Gateway (HTTP API, JWT authorizer): 202, and the durable workflow pays out. */
export const handler = observed(
  createPayoutHandler(payoutApiDependenciesFromEnvironment(), { logger, onOutcome }),
  {
    logger,
    metrics,
  },
)

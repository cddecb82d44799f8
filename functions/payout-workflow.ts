import { payoutWorkflow } from './handlers/payout-workflow.js'
import { payoutWorkflowDependenciesFromEnvironment } from './shared/payout-environment.js'

/**
 * The durable payout function (`durableConfig` in the CDK stack), started by POST /payouts on its `live` alias.
 * Lambda checkpoints each step and replays this handler after the settlement wait or a crash.
 */
export const handler = payoutWorkflow(payoutWorkflowDependenciesFromEnvironment())

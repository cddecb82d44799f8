import { getOperationHandler } from './handlers/get-operation.js'
import { executionsFromEnvironment } from './shared/payout-environment.js'

/** GET /operations/{id} behind API Gateway (HTTP API, JWT authorizer): a payout's progress, for its owner only. */
export const handler = getOperationHandler({ executions: executionsFromEnvironment() })

import { type DurableExecutions, makeOperationsHandler } from '../../lib/durable/index.js'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { callerOf } from '../shared/principal.js'

/**
 * GET /operations/{id}: a payout's progress (`running`, then `succeeded` with the payout, or `failed`), for the
 * caller who asked for it only. The caller is resolved exactly as POST /payouts resolves it; anyone else gets the
 * same 404 as an unknown id, so an operation id reveals nothing.
 */
export function getOperationHandler(deps: {
  readonly executions: DurableExecutions
}): (event: HttpEvent) => Promise<HttpResult> {
  return makeOperationsHandler({ executions: deps.executions, principal: callerOf })
}

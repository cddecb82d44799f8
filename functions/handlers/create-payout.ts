import type { Context } from 'aws-lambda'
import { type DurableExecutions, makeHttpAccepted } from '../../lib/durable/index.js'
import type { HttpEvent, HttpIdempotencyOptions, HttpResult } from '../../lib/http/index.js'
import type { IdempotencyStore } from '../../lib/index.js'
import { type PayoutRequest, payoutRequestOf, validatePayoutRequest } from '../shared/payout-request.js'
import { callerOf } from '../shared/principal.js'
import { sampleProblem } from '../shared/problems.js'
import { nonJsonMediaType, unsupportedMediaTypeDetail } from '../shared/request-body.js'

/**
 * Fixed, not the function name: the execution's name, the payout id and the bank's key all derive from the
 * record key, so they must not change when the function is renamed or redeployed under another name.
 */
export const CREATE_PAYOUT_NAMESPACE = 'payouts#create-payout'

export interface PayoutApiDependencies {
  /** Where the route keeps the 202 it answered, under the caller's scoped key. */
  readonly store: IdempotencyStore
  /** The durable payout function: `LambdaDurableExecutions` deployed, `LocalDurableExecutions` locally. */
  readonly executions: DurableExecutions
}

export type CreatePayoutOptions = Pick<HttpIdempotencyOptions, 'logger' | 'onOutcome' | 'now'>

/**
 * POST /payouts: accepts the payout with `202 Accepted` and `Location: /operations/{id}` once its durable
 * execution has started under the caller's scoped Idempotency-Key; the workflow pays out in the background. A
 * retry with the same key gets the same 202 (`Idempotent-Replayed: true`) and starts nothing: one key, one
 * execution, one payout. The body (JSON, else 415) is checked before the key is claimed, so a rejected one stores
 * nothing.
 */
export function createPayoutHandler(deps: PayoutApiDependencies, options: CreatePayoutOptions = {}) {
  const accept = makeHttpAccepted<HttpEvent, PayoutRequest>({
    store: deps.store,
    namespace: CREATE_PAYOUT_NAMESPACE,
    executions: deps.executions,
    principal: callerOf,
    payload: (_body, event) => payoutRequestOf(event),
    // The execution keeps exactly the checked request, nothing else of the body.
    input: payoutRequestOf,
    respondAsync: 'always',
    ...options,
  })
  return async function createPayout(event: HttpEvent, context: Context): Promise<HttpResult> {
    const notJson = event?.body ? nonJsonMediaType(event.headers) : undefined
    if (notJson !== undefined)
      return sampleProblem('unsupported-media-type', unsupportedMediaTypeDetail(notJson))
    const parsed = validatePayoutRequest(event)
    if (!parsed.ok) return sampleProblem('validation-failed', parsed.detail)
    return accept(event, context)
  }
}

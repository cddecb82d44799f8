import { isIdempotencyError } from '../errors.js'
import { principalOf } from '../http/principal.js'
import { idempotencyProblem, problemResponse } from '../http/problem.js'
import type { HttpEvent, HttpIdempotencyOptions, HttpResult } from '../http/types.js'
import { optionNames, refuseUnknownOptions } from '../option-names.js'
import { jsonLinesLogger } from '../options.js'
import { operationAnswer } from './accepted-answer.js'
import { DEFAULT_RETRY_AFTER_SECONDS } from './accepted-route.js'
import { OperationNotFoundError } from './errors.js'
import type { DurableExecutions } from './executions.js'
import { isExecutionName } from './names.js'
import { isOwnedBy } from './owner.js'

export interface OperationsOptions
  extends Pick<HttpIdempotencyOptions, 'principal' | 'anonymousPrincipal' | 'problemTypeBase' | 'logger'> {
  /** The durable function the 202 route starts: the same `executions` as the route's. */
  readonly executions: DurableExecutions
  /** The `Retry-After` of an operation still running. @default 5 */
  readonly retryAfterSeconds?: number
  /** The operation id of a request. @default the `id` path parameter, else the last segment of the path */
  readonly operationId?: (event: HttpEvent) => string | undefined
}

const OPERATIONS_OPTION_NAMES = optionNames<OperationsOptions>()([
  'principal',
  'anonymousPrincipal',
  'problemTypeBase',
  'logger',
  'executions',
  'retryAfterSeconds',
  'operationId',
])

/**
 * `GET /operations/{id}` for the operations a 202 route (`makeHttpAccepted`) started: `200` with
 * `{ id, status: 'running' }` (and `Retry-After`), `{ id, status: 'succeeded', result }` or
 * `{ id, status: 'failed', error: { type } }`. Only the caller that started an operation can read it: the
 * caller is resolved exactly as the route resolves it (give both the same `principal` options), and anyone
 * else, like an unknown or malformed id, gets `404 operation-not-found`: an id reveals nothing to others.
 * No caller at all is a 401, as on every route.
 *
 * @example
 * ```ts
 * export const handler = makeOperationsHandler({
 *   executions: new LambdaDurableExecutions({ functionName: 'payouts:live' }),
 * })
 * ```
 */
export function makeOperationsHandler(options: OperationsOptions): (event: HttpEvent) => Promise<HttpResult> {
  refuseUnknownOptions(options, OPERATIONS_OPTION_NAMES, 'makeOperationsHandler')
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS
  const idOf = options.operationId ?? defaultOperationId

  return async function operationsHandler(event) {
    try {
      const principal = principalOf(event, options)
      const id = idOf(event)
      if (id === undefined || !isExecutionName(id)) throw new OperationNotFoundError()
      const execution = await options.executions.get(id)
      if (execution === undefined || !isOwnedBy(execution.input, principal))
        throw new OperationNotFoundError()
      return operationAnswer(execution, retryAfterSeconds)
    } catch (error) {
      if (!isIdempotencyError(error)) throw error
      // The client gets fixed text; the operator needs to know which option fixes the configuration.
      if (isIdempotencyError(error, 'principal-unresolved'))
        (options.logger ?? jsonLinesLogger).warn(error.message, { code: error.code })
      return problemResponse(idempotencyProblem(error, options.problemTypeBase))
    }
  }
}

function defaultOperationId(event: HttpEvent): string | undefined {
  const fromRoute = event.pathParameters?.id
  if (fromRoute !== undefined) return fromRoute
  const path = 'rawPath' in event ? event.rawPath : event.path
  return path?.split('/').filter(Boolean).at(-1)
}

import type { Context } from 'aws-lambda'
import type { HttpEvent, HttpResult } from '../http/types.js'
import { createAcceptedRoute, type HttpAcceptedOptions, methodNotAllowed } from './accepted-route.js'

/**
 * An API Gateway or function URL handler that accepts work and finishes it in the background: the request is
 * answered `202 Accepted` with `Location: /operations/{id}` and `Retry-After`, once the durable execution doing
 * the work has been started under the caller's scoped idempotency key. The 202 is the request's stored answer:
 * a retry with the same key gets the same 202 (`Idempotent-Replayed: true`) while the work runs and after it
 * ends, and follows the Location for the outcome (`makeOperationsHandler`). The operation id is the execution's
 * name, derived from the scoped, hashed key: it cannot be guessed without the key and the caller.
 *
 * Missing key (400), mismatch (422), a duplicate in flight (409) and every other problem answer as on any route
 * of the HTTP preset. A start Lambda refuses stores nothing, so a retry with the same key starts the work.
 * With a handler, requests that do not prefer an asynchronous answer run it, exactly as `makeHttpIdempotent`.
 *
 * @example
 * ```ts
 * export const handler = makeHttpAccepted({
 *   store: new DynamoDBStore(),
 *   namespace: 'payouts#create',
 *   executions: new LambdaDurableExecutions({ functionName: 'payouts:live' }),
 *   input: (event) => JSON.parse(event.body ?? '{}'),
 *   respondAsync: 'always',
 * })
 * ```
 */
export function makeHttpAccepted<TEvent extends HttpEvent, TInput = unknown>(
  options: HttpAcceptedOptions<TInput>,
  handler?: (event: TEvent, context: Context) => Promise<HttpResult>,
): (event: TEvent, context: Context) => Promise<HttpResult> {
  const route = createAcceptedRoute(options, handler !== undefined, 'makeHttpAccepted')
  const { http } = route
  return async function acceptedHttpHandler(event, context) {
    const started = await http.start(event, context)
    if (started.kind === 'answer') return started.response
    if (started.kind === 'passthrough') return handler ? handler(event, context) : methodNotAllowed(options)
    if (handler === undefined || route.inBackground(event)) return route.acceptAndFinish(event, started)
    return http.run(started.invocation, () => handler(event, context))
  }
}

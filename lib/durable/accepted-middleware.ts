import { httpMiddyProtocol } from '../http/preset.js'
import type { HttpEvent, HttpResult } from '../http/types.js'
import { type MiddyMiddleware, middyAdapter } from '../middy/adapter.js'
import { createAcceptedRoute, type HttpAcceptedOptions } from './accepted-route.js'

/**
 * `makeHttpAccepted` as a Middy middleware, for a route whose handler answers synchronously: requests that send
 * `Prefer: respond-async` (or every request, with `respondAsync: 'always'`) are answered `202 Accepted` in
 * `before`, once their durable execution has started, and never reach the handler; the others run it under the
 * HTTP preset's contract, as `httpIdempotency` does. Register it last, after parsers and validators.
 *
 * @example
 * ```ts
 * export const handler = middy(createPayoutNow).use(
 *   httpAccepted({ store, executions, input: (event) => JSON.parse(event.body ?? '{}') }),
 * )
 * ```
 */
export function httpAccepted(options: HttpAcceptedOptions): MiddyMiddleware<HttpEvent, HttpResult> {
  const route = createAcceptedRoute(options, true, 'httpAccepted')
  return middyAdapter(
    httpMiddyProtocol(route.http, async (event, context) => {
      const started = await route.http.start(event, context)
      if (started.kind !== 'execute' || !route.inBackground(event)) return started
      return { kind: 'answer', response: await route.acceptAndFinish(event, started) }
    }),
  )
}

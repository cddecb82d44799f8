import { type MiddyMiddleware, middyAdapter } from '../middy/adapter.js'
import { refuseUnknownOptions } from '../option-names.js'
import { createHttpIdempotency, httpMiddyProtocol } from './preset.js'
import { HTTP_OPTION_NAMES, type HttpEvent, type HttpIdempotencyOptions, type HttpResult } from './types.js'

/**
 * Middy middleware for API Gateway and function URL handlers. Register it last, after parsers and validators:
 * a request they reject never reaches it and stores nothing. Toolkit errors become problem+json answers; the
 * handler's own errors are rethrown (after the key is released) for the user's error middleware. When Middy's
 * early timeout fires, the body may still be running: its key stays held and the caller gets a 503 problem
 * with `Retry-After` (the time left on the lease).
 *
 * @example
 * ```ts
 * export const handler = middy(createPayment)
 *   .use(httpJsonBodyParser())
 *   .use(httpIdempotency({ store: new DynamoDBStore(), namespace: 'payments#create' }))
 * ```
 */
export function httpIdempotency(options: HttpIdempotencyOptions): MiddyMiddleware<HttpEvent, HttpResult> {
  refuseUnknownOptions(options, HTTP_OPTION_NAMES, 'httpIdempotency')
  const http = createHttpIdempotency(options)
  return middyAdapter(httpMiddyProtocol(http, (event, context) => http.start(event, context)))
}

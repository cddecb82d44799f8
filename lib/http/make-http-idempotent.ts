import type { Context } from 'aws-lambda'
import { refuseUnknownOptions } from '../option-names.js'
import { createHttpIdempotency } from './preset.js'
import { HTTP_OPTION_NAMES, type HttpEvent, type HttpIdempotencyOptions, type HttpResult } from './types.js'

/**
 * Wraps an API Gateway or function URL handler without Middy. Validate the request before calling the wrapped
 * handler if a rejected body must store nothing: whatever 4xx the handler itself returns is a final answer.
 *
 * @example
 * ```ts
 * export const handler = makeHttpIdempotent(
 *   async (event) => ({ statusCode: 201, body: JSON.stringify(await createPayment(event)) }),
 *   { store: new DynamoDBStore(), namespace: 'payments#create' },
 * )
 * ```
 */
export function makeHttpIdempotent<TEvent extends HttpEvent>(
  handler: (event: TEvent, context: Context) => Promise<HttpResult>,
  options: HttpIdempotencyOptions,
): (event: TEvent, context: Context) => Promise<HttpResult> {
  refuseUnknownOptions(options, HTTP_OPTION_NAMES, 'makeHttpIdempotent')
  const http = createHttpIdempotency(options)
  return async function idempotentHttpHandler(event, context) {
    const started = await http.start(event, context)
    if (started.kind === 'answer') return started.response
    if (started.kind === 'passthrough') return handler(event, context)
    return http.run(started.invocation, () => handler(event, context))
  }
}

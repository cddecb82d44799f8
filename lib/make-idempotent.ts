import { createIdempotencyEngine } from './engine.js'
import { refuseUnknownOptions } from './option-names.js'
import { IDEMPOTENCY_OPTION_NAMES, type IdempotencyOptions, type LambdaContextLike } from './options.js'

/**
 * Wraps a handler without any framework: the handler runs only while this invocation holds the key, its
 * result is stored, and retries get that result. A handler that throws releases the key, so a retry runs.
 *
 * @example
 * ```ts
 * export const handler = makeIdempotent(
 *   async (event: { orderId: string; amount: number }) => charge(event.orderId, event.amount),
 *   { store: new DynamoDBStore(), key: (event) => event.orderId, namespace: 'payments#charge' },
 * )
 * ```
 */
export function makeIdempotent<TEvent, TResult, TContext extends LambdaContextLike>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
  options: IdempotencyOptions<TEvent, TResult>,
): (event: TEvent, context: TContext) => Promise<TResult> {
  refuseUnknownOptions(options, IDEMPOTENCY_OPTION_NAMES, 'makeIdempotent')
  const engine = createIdempotencyEngine(options)
  return async function idempotentHandler(event, context) {
    return (await engine.run(event, context, handler)).result
  }
}

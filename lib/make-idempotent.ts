import { createIdempotencyEngine } from './engine.js'
import type { IdempotencyOptions, LambdaContextLike } from './options.js'

/**
 * Wraps a handler without any framework: the handler runs only while this invocation holds the key, its
 * result is stored, and retries get that result. A handler that throws releases the key, so a retry runs.
 */
export function makeIdempotent<TEvent, TResult, TContext extends LambdaContextLike>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
  options: IdempotencyOptions<TEvent, TResult>,
): (event: TEvent, context: TContext) => Promise<TResult> {
  const engine = createIdempotencyEngine(options)
  return async function idempotentHandler(event, context) {
    const begun = await engine.begin(event, context)
    if (begun.kind === 'replay') return begun.result
    if (begun.kind === 'passthrough') return handler(event, context)
    let result: TResult
    try {
      result = await handler(event, context)
    } catch (error) {
      await engine.release(begun.invocation).catch(() => undefined)
      throw error
    }
    await engine.complete(begun.invocation, result)
    return result
  }
}

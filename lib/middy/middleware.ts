import { createIdempotencyEngine } from '../engine.js'
import { refuseUnknownOptions } from '../option-names.js'
import { IDEMPOTENCY_OPTION_NAMES, type IdempotencyOptions } from '../options.js'
import { type MiddyMiddleware, middyAdapter } from './adapter.js'

/**
 * Middy middleware: claims the key in `before` (replays short-circuit there, without the handler), stores the
 * result in `after`, and in `onError` releases only a key this request holds — never after a conflict or
 * mismatch it raised itself, so a rejected duplicate cannot free its running twin's key. When Middy's early
 * timeout fires, the handler may still be running: the key stays held until its lease ends, and the caller
 * gets `IdempotencyHandlerTimeoutError` (retry after its `retryAfterSeconds`).
 *
 * Register it last, so body parsers and validators run first and a request they reject stores nothing.
 *
 * @example
 * ```ts
 * export const handler = middy(charge).use(
 *   idempotency({ store: new DynamoDBStore(), key: (event: { orderId: string }) => event.orderId }),
 * )
 * ```
 */
export function idempotency<TEvent, TResult>(
  options: IdempotencyOptions<TEvent, TResult>,
): MiddyMiddleware<TEvent, TResult> {
  refuseUnknownOptions(options, IDEMPOTENCY_OPTION_NAMES, 'idempotency')
  const engine = createIdempotencyEngine(options)
  return middyAdapter<TEvent, TResult>({
    async start(event, context) {
      const begun = await engine.begin(event, context)
      return begun.kind === 'replay' ? { kind: 'answer', response: begun.result } : begun
    },
    async finish(invocation, response) {
      await engine.complete(invocation, response)
      return response
    },
    abandon: (invocation, cause) => ({ error: engine.abandon(invocation, cause) }),
    giveBack: engine.giveBack,
  })
}

import type middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { createIdempotencyEngine } from '../engine.js'
import type { Invocation } from '../invocation.js'
import type { IdempotencyOptions } from '../options.js'
import { beforeEarlyReturn } from './early-return.js'
import { isTimeout } from './timeout.js'

type Request<TEvent, TResult> = middy.Request<TEvent, TResult, Error, Context>

/**
 * Middy middleware: claims the key in `before` (replays short-circuit there, without the handler), stores the
 * result in `after`, and in `onError` releases only a key this request holds — never after a conflict or
 * mismatch it raised itself, so a rejected duplicate cannot free its running twin's key. When Middy's early
 * timeout fires, the handler may still be running: the key stays held until its lease ends, and the caller
 * gets `IdempotencyHandlerTimeoutError` (retry after its `retryAfterSeconds`).
 *
 * Register it last, so body parsers and validators run first and a request they reject stores nothing.
 */
export function idempotency<TEvent, TResult>(
  options: IdempotencyOptions<TEvent, TResult>,
): middy.MiddlewareObj<TEvent, TResult, Error, Context> {
  const engine = createIdempotencyEngine(options)
  /**
   * Per request, never in `request.internal`: Middy's `internal` option makes that one object for every
   * request, and with many invocations in one process a duplicate would release or complete its twin's claim.
   */
  const held = new WeakMap<Request<TEvent, TResult>, Invocation>()

  const take = (request: Request<TEvent, TResult>): Invocation | undefined => {
    const invocation = held.get(request)
    held.delete(request)
    return invocation?.state === 'held' ? invocation : undefined
  }

  const idempotencyBefore = async (request: Request<TEvent, TResult>) => {
    const begun = await engine.begin(request.event, request.context)
    if (begun.kind === 'execute') {
      held.set(request, begun.invocation)
      return
    }
    if (begun.kind === 'replay') {
      await beforeEarlyReturn(request)
      // The Lambda runtime sends undefined as null, and a null return is the only short-circuit Middy 5 honours.
      return begun.result ?? (null as TResult)
    }
  }

  const idempotencyAfter = async (request: Request<TEvent, TResult>) => {
    const invocation = take(request)
    if (invocation !== undefined) await engine.complete(invocation, request.response as TResult)
  }

  const idempotencyOnError = async (request: Request<TEvent, TResult>) => {
    const invocation = take(request)
    if (invocation === undefined) return
    if (isTimeout(request.error)) {
      request.error = engine.abandon(invocation, request.error)
      return
    }
    // A failed release must not hide the handler's error; the engine has logged it, and the lease bounds it.
    await engine.release(invocation).catch(() => undefined)
  }

  return { before: idempotencyBefore, after: idempotencyAfter, onError: idempotencyOnError }
}

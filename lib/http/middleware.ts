import type middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { isIdempotencyError } from '../errors.js'
import type { Invocation } from '../invocation.js'
import { beforeEarlyReturn } from '../middy/early-return.js'
import { isTimeout } from '../middy/timeout.js'
import { createHttpIdempotency } from './preset.js'
import type { HttpEvent, HttpIdempotencyOptions, HttpResult } from './types.js'

type Request = middy.Request<HttpEvent, HttpResult, Error, Context>

/**
 * Middy middleware for API Gateway and function URL handlers. Register it last, after parsers and validators:
 * a request they reject never reaches it and stores nothing. Toolkit errors become problem+json answers; the
 * handler's own errors are rethrown (after the key is released) for the user's error middleware. When Middy's
 * early timeout fires, the body may still be running: its key stays held and the caller gets a 503 problem
 * with `Retry-After` (the time left on the lease).
 */
export function httpIdempotency(
  options: HttpIdempotencyOptions,
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  const http = createHttpIdempotency(options)
  /** Per request, not in `request.internal`, which Middy may share between requests when a plugin sets it. */
  const held = new WeakMap<Request, Invocation>()

  const take = (request: Request): Invocation | undefined => {
    const invocation = held.get(request)
    held.delete(request)
    return invocation
  }

  const httpIdempotencyBefore = async (request: Request) => {
    const started = await http.start(request.event, request.context)
    if (started.kind === 'answer') {
      await beforeEarlyReturn(request)
      return started.response
    }
    if (started.kind === 'execute') held.set(request, started.invocation)
  }

  const httpIdempotencyAfter = async (request: Request) => {
    const invocation = take(request)
    if (invocation !== undefined)
      request.response = await http.finish(invocation, request.response as HttpResult)
  }

  const httpIdempotencyOnError = async (request: Request) => {
    const invocation = take(request)
    if (invocation !== undefined && isTimeout(request.error)) {
      // The body may still run: keep its key until the lease ends and answer 503 with Retry-After.
      request.response = http.abandon(invocation, request.error)
      return
    }
    if (invocation !== undefined) await http.release(invocation)
    if (isIdempotencyError(request.error)) request.response = http.problemOrThrow(request.error)
  }

  return { before: httpIdempotencyBefore, after: httpIdempotencyAfter, onError: httpIdempotencyOnError }
}

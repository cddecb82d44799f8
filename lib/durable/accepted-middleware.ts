import type middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { isIdempotencyError } from '../errors.js'
import type { HttpEvent, HttpResult } from '../http/types.js'
import type { Invocation } from '../invocation.js'
import { beforeEarlyReturn } from '../middy/early-return.js'
import { isTimeout } from '../middy/timeout.js'
import { createAcceptedRoute, type HttpAcceptedOptions } from './accepted-route.js'

type Request = middy.Request<HttpEvent, HttpResult, Error, Context>

/**
 * `makeHttpAccepted` as a Middy middleware, for a route whose handler answers synchronously: requests that send
 * `Prefer: respond-async` (or every request, with `respondAsync: 'always'`) are answered `202 Accepted` in
 * `before`, once their durable execution has started, and never reach the handler; the others run it under the
 * HTTP preset's contract, as `httpIdempotency` does. Register it last, after parsers and validators.
 */
export function httpAccepted(
  options: HttpAcceptedOptions,
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  const route = createAcceptedRoute(options, true)
  const { http } = route
  /** Per request, not in `request.internal`, which Middy may share between requests when a plugin sets it. */
  const held = new WeakMap<Request, Invocation>()

  const take = (request: Request): Invocation | undefined => {
    const invocation = held.get(request)
    held.delete(request)
    return invocation
  }

  const httpAcceptedBefore = async (request: Request) => {
    const started = await http.start(request.event, request.context)
    if (started.kind === 'passthrough') return
    if (started.kind === 'execute' && !route.inBackground(request.event)) {
      held.set(request, started.invocation)
      return
    }
    const answer =
      started.kind === 'answer'
        ? started.response
        : await route.acceptAndFinish(request.event, started.invocation)
    await beforeEarlyReturn(request)
    return answer
  }

  const httpAcceptedAfter = async (request: Request) => {
    const invocation = take(request)
    if (invocation !== undefined)
      request.response = await http.finish(invocation, request.response as HttpResult)
  }

  const httpAcceptedOnError = async (request: Request) => {
    const invocation = take(request)
    if (invocation !== undefined && isTimeout(request.error)) {
      // The body may still run: keep its key until the lease ends and answer 503 with Retry-After.
      request.response = http.abandon(invocation, request.error)
      return
    }
    if (invocation !== undefined) await http.release(invocation)
    if (isIdempotencyError(request.error)) request.response = http.problemOrThrow(request.error)
  }

  return { before: httpAcceptedBefore, after: httpAcceptedAfter, onError: httpAcceptedOnError }
}

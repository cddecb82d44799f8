import type { Context } from 'aws-lambda'
import { withHeaders } from '../http/answer.js'
import { headerValues } from '../http/event.js'
import { prefersRespondAsync } from '../http/prefer.js'
import { createHttpIdempotency, DEFAULT_IDEMPOTENT_METHODS } from '../http/preset.js'
import { principalOf } from '../http/principal.js'
import type { HttpEvent, HttpIdempotencyOptions, HttpResult } from '../http/types.js'
import type { Invocation } from '../invocation.js'
import { acceptedAnswer } from './accepted-answer.js'
import type { DurableExecutions } from './executions.js'
import { executionNameFor } from './names.js'
import { ownerOf } from './owner.js'
import type { DurableEnvelope } from './types.js'

/**
 * A few seconds: a durable execution takes at least one invocation and its checkpoints, and a client polling
 * faster only pays for invocations that answer `running`.
 */
export const DEFAULT_RETRY_AFTER_SECONDS = 5
/** Where `GET /operations/{id}` is routed; prefix it with a REST API's stage if its URLs carry one. */
export const DEFAULT_OPERATIONS_PATH = '/operations'

export interface HttpAcceptedOptions<TInput = unknown> extends HttpIdempotencyOptions {
  /** The durable function that does the work. */
  readonly executions: DurableExecutions
  /**
   * The execution's input, from a request the route accepts: what the work needs (validated, and no more than
   * it needs), since the durable service keeps it with the execution.
   */
  readonly input: (event: HttpEvent) => TInput
  /**
   * `always`: every request is accepted with a 202. `when-preferred`: only requests that send
   * `Prefer: respond-async`; the others run the handler and answer synchronously.
   * @default 'when-preferred' with a handler, 'always' without one
   */
  readonly respondAsync?: 'always' | 'when-preferred'
  /** @default '/operations' */
  readonly operationsPath?: string
  /** The `Retry-After` of the 202. @default 5 */
  readonly retryAfterSeconds?: number
}

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
 */
export function makeHttpAccepted<TEvent extends HttpEvent, TInput = unknown>(
  options: HttpAcceptedOptions<TInput>,
  handler?: (event: TEvent, context: Context) => Promise<HttpResult>,
): (event: TEvent, context: Context) => Promise<HttpResult> {
  const respondAsync = options.respondAsync ?? (handler === undefined ? 'always' : 'when-preferred')
  if (respondAsync === 'when-preferred' && handler === undefined)
    throw new RangeError(
      "makeHttpAccepted with respondAsync 'when-preferred' needs a handler for the requests that do not send Prefer: respond-async. Pass one, or set respondAsync: 'always'.",
    )
  const retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS
  if (!(Number.isSafeInteger(retryAfterSeconds) && retryAfterSeconds >= 0))
    throw new RangeError(
      `retryAfterSeconds must be a whole number of seconds, 0 or more, got ${retryAfterSeconds}`,
    )
  const operationsPath = (options.operationsPath ?? DEFAULT_OPERATIONS_PATH).replace(/\/+$/, '')
  // Retry-After is part of the 202, so every replay of it carries it too.
  const replayHeaders = [...(options.replayHeaders ?? []), 'Retry-After']
  const http = createHttpIdempotency({ ...options, replayHeaders })

  /** Starts the execution named after the held key, for this caller; the 202 to store once it has started. */
  async function accept(event: TEvent, invocation: Invocation): Promise<HttpResult> {
    const name = executionNameFor(invocation.key)
    const envelope: DurableEnvelope<TInput> = {
      idempotencyKey: name,
      input: options.input(event),
      owner: ownerOf(principalOf(event, options)),
    }
    await options.executions.start(name, envelope)
    return acceptedAnswer(name, operationsPath, retryAfterSeconds)
  }

  return async function acceptedHttpHandler(event, context) {
    const started = await http.start(event, context)
    if (started.kind === 'answer') return started.response
    if (started.kind === 'passthrough') return handler ? handler(event, context) : methodNotAllowed(options)
    const preferred = prefersRespondAsync(headerValues(event, 'prefer'))
    const inBackground = respondAsync === 'always' || preferred || handler === undefined
    let result: HttpResult
    try {
      result = inBackground ? await accept(event, started.invocation) : await handler(event, context)
    } catch (error) {
      // Nothing was started (or the handler failed): the key is given back, so a retry runs again.
      await http.release(started.invocation)
      return http.problemOrThrow(error)
    }
    const answer = await http.finish(started.invocation, result)
    return inBackground && preferred ? withHeaders(answer, { 'Preference-Applied': 'respond-async' }) : answer
  }
}

/** A route with no handler serves only the methods it protects. */
function methodNotAllowed(options: Pick<HttpIdempotencyOptions, 'methods'>): HttpResult {
  const allowed = (options.methods ?? DEFAULT_IDEMPOTENT_METHODS).map((method) => method.toUpperCase())
  return { statusCode: 405, headers: { Allow: allowed.join(', ') } }
}

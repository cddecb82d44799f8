import { withHeaders } from '../http/answer.js'
import { headerValues } from '../http/event.js'
import { prefersRespondAsync } from '../http/prefer.js'
import { createHttpIdempotency, DEFAULT_IDEMPOTENT_METHODS, type HttpStart } from '../http/preset.js'
import { idempotencyProblem, problemResponse } from '../http/problem.js'
import {
  HTTP_OPTION_NAMES,
  type HttpEvent,
  type HttpIdempotencyOptions,
  type HttpResult,
} from '../http/types.js'
import { optionNames, refuseUnknownOptions } from '../option-names.js'
import { acceptedAnswer } from './accepted-answer.js'
import { MethodNotAllowedError } from './errors.js'
import type { DurableExecutions } from './executions.js'
import { executionNameFor } from './names.js'
import { ownerOf } from './owner.js'
import type { DurableEnvelope } from './types.js'

/** A request the preset let through holding its key, with the caller it resolved. */
type Held = Extract<HttpStart, { kind: 'execute' }>

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

/** Every option a 202 route takes (`makeHttpAccepted`, `httpAccepted`). */
export const ACCEPTED_OPTION_NAMES = optionNames<HttpAcceptedOptions>()([
  ...HTTP_OPTION_NAMES,
  'executions',
  'input',
  'respondAsync',
  'operationsPath',
  'retryAfterSeconds',
])

/**
 * The protocol of a 202 route, shared by `makeHttpAccepted` and the `httpAccepted` middleware: the HTTP preset
 * decides (claim, replay or problem), and a request whose work goes to the background starts the durable
 * execution named after its held key, then stores the 202 as its answer.
 */
export function createAcceptedRoute<TInput>(
  options: HttpAcceptedOptions<TInput>,
  hasHandler: boolean,
  wrapper: string,
) {
  refuseUnknownOptions(options, ACCEPTED_OPTION_NAMES, wrapper)
  const respondAsync = options.respondAsync ?? (hasHandler ? 'when-preferred' : 'always')
  if (respondAsync === 'when-preferred' && !hasHandler)
    throw new RangeError(
      "A 202 route with respondAsync 'when-preferred' needs a handler for the requests that do not send Prefer: respond-async. Pass one, or set respondAsync: 'always'.",
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

  const prefersAsync = (event: HttpEvent) => prefersRespondAsync(headerValues(event, 'prefer'))

  /** Whether this request's work goes to the background rather than to the handler. */
  const inBackground = (event: HttpEvent): boolean => respondAsync === 'always' || prefersAsync(event)

  /** Starts the execution named after the held key, for its caller; the 202 to store once it has started. */
  async function accept(event: HttpEvent, started: Held): Promise<HttpResult> {
    const name = executionNameFor(started.invocation.key)
    const envelope: DurableEnvelope<TInput> = {
      idempotencyKey: name,
      input: options.input(event),
      owner: ownerOf(started.principal),
    }
    await options.executions.start(name, envelope)
    return acceptedAnswer(name, operationsPath, retryAfterSeconds)
  }

  /** The request's answer: the stored 202, or a problem when nothing was started (the key is given back). */
  async function acceptAndFinish(event: HttpEvent, started: Held): Promise<HttpResult> {
    // Only an answer that was finished (stored) says the preference was applied; a refused start did not.
    return http.run(
      started.invocation,
      () => accept(event, started),
      async (invocation, accepted) => {
        const answer = await http.finish(invocation, accepted)
        return prefersAsync(event) ? withHeaders(answer, { 'Preference-Applied': 'respond-async' }) : answer
      },
    )
  }

  return { http, inBackground, acceptAndFinish }
}

/** A route with no handler serves only the methods it protects. */
export function methodNotAllowed(
  options: Pick<HttpIdempotencyOptions, 'methods' | 'problemTypeBase'>,
): HttpResult {
  const allowed = (options.methods ?? DEFAULT_IDEMPOTENT_METHODS).map((method) => method.toUpperCase())
  const answer = problemResponse(
    idempotencyProblem(new MethodNotAllowedError(allowed), options.problemTypeBase),
  )
  return withHeaders(answer, { Allow: allowed.join(', ') })
}

import { createIdempotencyEngine } from '../engine.js'
import { IdempotencyKeyMissingError, isIdempotencyError } from '../errors.js'
import { sha256 } from '../fingerprint.js'
import type { Invocation } from '../invocation.js'
import { waitBudgetMs } from '../lease.js'
import type { MiddyProtocol } from '../middy/adapter.js'
import { renamedOption } from '../option-names.js'
import { commonOptionsOf, type LambdaContextLike } from '../options.js'
import { isFinalAnswer, replayedHeaderNames, storedForm, withHeaders } from './answer.js'
import { bodyOf, headerValues, methodOf, routeOf, targetOf } from './event.js'
import { checkKeyAge, parseIdempotencyKey } from './key.js'
import { preferredWaitSeconds } from './prefer.js'
import { type Principal, principalOf } from './principal.js'
import { DEFAULT_PROBLEM_TYPE_BASE, idempotencyProblem, problemResponse } from './problem.js'
import { httpScopeOf } from './scope.js'
import type { HttpEvent, HttpIdempotencyOptions, HttpResult } from './types.js'

/**
 * A waiting duplicate keeps a Lambda (and a concurrency slot) idle, and API Gateway gives up on the client at
 * 29-30 s anyway: 10 s covers a typical payment call without letting a burst of waiters pile up.
 */
export const DEFAULT_MAX_WAIT_SECONDS = 10
/** GET, PUT and DELETE are idempotent by definition; POST and PATCH are not. */
export const DEFAULT_IDEMPOTENT_METHODS: readonly string[] = ['POST', 'PATCH']

/** One request as the engine sees it: everything parsed and checked, nothing raw that could be stored. */
export interface HttpAttempt {
  /** The caller, resolved once: the scope is built from it, and a 202 route records it as the owner. */
  readonly principal: Principal
  /** Hashed by the engine: the principal and the raw key are never stored. */
  readonly scope: string
  readonly payload: unknown
  readonly waitSeconds: number
}

export type HttpStart =
  | { readonly kind: 'passthrough' }
  | { readonly kind: 'answer'; readonly response: HttpResult }
  | { readonly kind: 'execute'; readonly invocation: Invocation; readonly principal: Principal }

/** The HTTP protocol shared by the Middy middleware and the plain wrapper, on top of the core engine. */
export function createHttpIdempotency(options: HttpIdempotencyOptions) {
  const engine = createIdempotencyEngine<HttpAttempt, HttpResult>({
    ...commonOptionsOf(options),
    key: (attempt) => attempt.scope,
    payload: (attempt) => attempt.payload,
    shouldStore: isFinalAnswer,
    maxWaitMs: (attempt) => attempt.waitSeconds * 1000,
  })
  const { now: clock, ttlSeconds: retentionSeconds, logger } = engine.config
  const methods = new Set((options.methods ?? DEFAULT_IDEMPOTENT_METHODS).map((m) => m.toUpperCase()))
  const keep = replayedHeaderNames(options.replayHeaders)
  const maxWaitSeconds = options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS
  if (!(maxWaitSeconds >= 0)) throw new RangeError(`maxWaitSeconds must be 0 or more, got ${maxWaitSeconds}`)
  const typeBase = options.problemTypeBase ?? DEFAULT_PROBLEM_TYPE_BASE
  const renamed = { current: 'payload', deprecated: 'fingerprint' }
  const payloadOf = renamedOption(options.payload, options.fingerprint, renamed, logger)

  /** Every check that needs no store call, in the order a client should fix them; undefined passes through. */
  function prepare(event: HttpEvent, context: LambdaContextLike | undefined): HttpAttempt | undefined {
    const method = methodOf(event)
    if (!methods.has(method)) return undefined
    const principal = principalOf(event, options)
    const key = parseIdempotencyKey(headerValues(event, 'idempotency-key'))
    checkKeyAge(key, clock(), retentionSeconds)
    const route = routeOf(event)
    const preferred = preferredWaitSeconds(headerValues(event, 'prefer')) ?? 0
    return {
      principal,
      scope: httpScopeOf(principal, method, route, key),
      payload: { method, route, target: targetOf(event), body: coveredBody(event) },
      waitSeconds: Math.min(preferred, maxWaitSeconds, secondsLeftToWait(context)),
    }
  }

  /** What the engine will really allow, so `Preference-Applied` never claims a wait that could not happen. */
  function secondsLeftToWait(context: LambdaContextLike | undefined): number {
    return Math.max(0, Math.floor(waitBudgetMs(Number.POSITIVE_INFINITY, context) / 1000))
  }

  /** Parsed JSON for a JSON content type; otherwise (or if it does not parse) a hash of the raw bytes. */
  function coveredBody(event: HttpEvent): unknown {
    const body = bodyOf(event)
    let value: unknown
    if (body !== undefined) value = 'parsed' in body ? body.parsed : jsonOrBytes(event, body.bytes)
    const covered = payloadOf ? payloadOf(value, event) : value
    return covered instanceof Uint8Array ? { bytesSha256: sha256(covered) } : { json: covered }
  }

  function jsonOrBytes(event: HttpEvent, bytes: Buffer): unknown {
    if (!isJsonContentType(headerValues(event, 'content-type')[0])) return bytes
    try {
      return JSON.parse(bytes.toString('utf8'))
    } catch {
      // The handler or a validator answers the 400; the fingerprint only needs to tell bodies apart.
      return bytes
    }
  }

  const preferenceApplied = (attempt: HttpAttempt): Record<string, string> =>
    attempt.waitSeconds > 0 ? { 'Preference-Applied': `wait=${attempt.waitSeconds}` } : {}

  /** A toolkit error as problem+json; anything else is the user's to answer, so it is rethrown. */
  function problemOrThrow(error: unknown, attempt?: HttpAttempt): HttpResult {
    if (!isIdempotencyError(error)) throw error
    // The client gets fixed text; the operator needs to know which option fixes the configuration.
    if (isIdempotencyError(error, 'principal-unresolved')) logger.warn(error.message, { code: error.code })
    const problem = idempotencyProblem(error, typeBase)
    if (isIdempotencyError(error, 'in-progress') && attempt !== undefined)
      problem.headers = { ...problem.headers, ...preferenceApplied(attempt) }
    return problemResponse(problem)
  }

  /** Claims the key, or answers at once: a replay, or a problem for every toolkit error. */
  async function start(event: HttpEvent, context: LambdaContextLike | undefined): Promise<HttpStart> {
    let attempt: HttpAttempt | undefined
    try {
      attempt = prepare(event, context)
      if (attempt === undefined) return { kind: 'passthrough' }
      const begun = await engine.begin(attempt, context)
      if (begun.kind === 'execute') return { ...begun, principal: attempt.principal }
      // The engine passes through only an attempt without a key, which prepare never lets by: fail closed.
      if (begun.kind === 'passthrough') throw new IdempotencyKeyMissingError()
      const markers = { 'Idempotent-Replayed': 'true', ...preferenceApplied(attempt) }
      return { kind: 'answer', response: withHeaders(begun.result, markers) }
    } catch (error) {
      return { kind: 'answer', response: problemOrThrow(error, attempt) }
    }
  }

  /** Stores the safe part of a final answer (or releases the key) and returns the handler's answer untouched. */
  async function finish(invocation: Invocation, result: HttpResult): Promise<HttpResult> {
    try {
      await engine.complete(invocation, storedForm(result, keep))
    } catch (error) {
      return problemOrThrow(error)
    }
    return result
  }

  /** The framework timed out while the body may still run: the key stays held, the caller gets a 503 problem. */
  function abandon(invocation: Invocation, cause: unknown): HttpResult {
    return problemOrThrow(engine.abandon(invocation, cause))
  }

  /**
   * Runs the handler under a held claim, for the wrappers without Middy: its answer is finished (stored), its
   * failure is not an answer, so the key is given back and a retry runs again.
   */
  async function run(
    invocation: Invocation,
    handler: () => Promise<HttpResult>,
    finishWith: (invocation: Invocation, result: HttpResult) => Promise<HttpResult> = finish,
  ): Promise<HttpResult> {
    try {
      return await engine.runHeld(invocation, handler, finishWith)
    } catch (error) {
      return problemOrThrow(error)
    }
  }

  return { start, run, finish, giveBack: engine.giveBack, abandon, problemOrThrow }
}

export type HttpIdempotency = ReturnType<typeof createHttpIdempotency>

/** The HTTP preset as a Middy protocol: toolkit errors answered as problem+json, timeouts as a 503 problem. */
export function httpMiddyProtocol(
  http: HttpIdempotency,
  start: (event: HttpEvent, context: LambdaContextLike) => Promise<HttpStart>,
): MiddyProtocol<HttpEvent, HttpResult> {
  return {
    start,
    finish: http.finish,
    abandon: (invocation, cause) => ({ response: http.abandon(invocation, cause) }),
    giveBack: http.giveBack,
    answerFor: (error) => (isIdempotencyError(error) ? http.problemOrThrow(error) : undefined),
  }
}

function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)
}

import type { IdempotencyError, IdempotencyErrorCode } from '../errors.js'
import type { HttpResult } from './types.js'

/** An RFC 9457 problem: `type` is a stable URI a client can switch on, `detail` says what to do next. */
export interface Problem {
  status: number
  type: string
  title: string
  detail: string
  headers?: Record<string, string>
}

/** Every problem type this toolkit answers with is documented under this base, one anchor per code. */
export const DEFAULT_PROBLEM_TYPE_BASE =
  'https://github.com/lambda-idempotency/lambda-idempotency/blob/main/docs/problems.md#'

/**
 * The store has already been retried with backoff by the SDK; a client that waits a couple of seconds gives a
 * throttled table or a network blip time to clear without piling retries onto it.
 */
export const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = 2

/** A title for every code: the compiler refuses a new code without one. */
const TITLES: Readonly<Record<IdempotencyErrorCode, string>> = {
  'key-missing': 'Idempotency-Key header missing',
  'key-invalid': 'Idempotency-Key header invalid',
  'principal-missing': 'No authenticated caller',
  'principal-unresolved': 'Caller could not be identified',
  'in-progress': 'Request with this key still in progress',
  'payload-mismatch': 'Idempotency-Key reused with a different request',
  'store-unavailable': 'Idempotency store unavailable',
  'store-misconfigured': 'Idempotency store not set up',
  'lease-lost': 'Idempotency key taken over',
  'result-not-stored': 'Response was not stored',
  'handler-timeout': 'Request timed out while still being processed',
  'completion-rejected': 'Request could not be recorded',
  'own-writes-in-step': 'Request could not be processed',
  'execution-unavailable': 'Background work could not be started or read',
  'operation-not-found': 'Operation not found',
  'method-not-allowed': 'Method not allowed on this route',
}

/**
 * 5xx details are fixed text: the underlying messages can carry SDK errors (account ids, role and table names)
 * that must not reach a public client. 4xx messages are written for clients and used as they are.
 */
const FIXED_DETAILS: Readonly<Partial<Record<IdempotencyErrorCode, string>>> = {
  'store-unavailable': `The idempotency store could not be reached. Retry with the same key after ${STORE_UNAVAILABLE_RETRY_AFTER_SECONDS} s.`,
  'store-misconfigured':
    'The server cannot reach its idempotency store as configured, so it processed and stored nothing. This is a server configuration problem: report it to the API operator, and retry with the same key once it is fixed.',
  'principal-unresolved':
    'The server could not tell which caller sent this authenticated request, so it processed and stored nothing. This is a server configuration problem: report it to the API operator, and retry with the same key once it is fixed.',
  'result-not-stored':
    'The request with this key was processed, but its response was too large or not serialisable to be stored. Do not retry with a new key; look the result up instead.',
  'handler-timeout':
    'The request with this key ran out of time while still being processed, and may yet finish. Retry with the same key after the Retry-After delay: you will get its result, or it will run again if it never finished.',
  'completion-rejected':
    "The server's data store refused to record this request's changes, so none of them was kept. Retrying with the same key is safe, but fails the same way until the server is fixed.",
  'own-writes-in-step':
    'The server made a change where it cannot keep it, so it kept nothing. This is a server problem: report it to the API operator.',
  'execution-unavailable': `The service that runs this request's background work could not be reached. Retry with the same key after ${STORE_UNAVAILABLE_RETRY_AFTER_SECONDS} s: the key names the same work, so it never starts twice.`,
}

/** The 5xx detail of a code without fixed text of its own (one this copy of the package does not know). */
const UNKNOWN_SERVER_DETAIL =
  'The server could not process this request. This is a server problem: report it to the API operator.'

/** A proxy result carrying the problem as `application/problem+json`. */
export function problemResponse(problem: Problem): HttpResult {
  const { status, type, title, detail, headers } = problem
  return {
    statusCode: status,
    headers: { ...headers, 'Content-Type': 'application/problem+json' },
    body: JSON.stringify({ type, title, status, detail }),
  }
}

/** The one place where the toolkit's errors become HTTP answers. */
export function idempotencyProblem(
  error: IdempotencyError,
  typeBase: string = DEFAULT_PROBLEM_TYPE_BASE,
): Problem {
  // An error from another copy of the package (another version, the same brand) may carry a code this copy
  // does not know: it still gets a title, and a 5xx still gets fixed text, never its message.
  const status = Number.isInteger(error.statusCode) && error.statusCode >= 400 ? error.statusCode : 500
  const problem: Problem = {
    status,
    type: `${typeBase}${error.code}`,
    title: TITLES[error.code] ?? (status >= 500 ? 'Request could not be processed' : 'Request refused'),
    detail: FIXED_DETAILS[error.code] ?? (status >= 500 ? UNKNOWN_SERVER_DETAIL : error.message),
  }
  const retryAfterSeconds = retryAfterOf(error)
  if (retryAfterSeconds !== undefined) problem.headers = { 'Retry-After': String(retryAfterSeconds) }
  return problem
}

/** Read, not `instanceof`: the error may come from the other build (ESM or CommonJS) of this package. */
function retryAfterOf(error: IdempotencyError): number | undefined {
  const { retryAfterSeconds } = error as { retryAfterSeconds?: unknown }
  if (typeof retryAfterSeconds === 'number') return retryAfterSeconds
  if (error.code === 'store-unavailable' || error.code === 'execution-unavailable')
    return STORE_UNAVAILABLE_RETRY_AFTER_SECONDS
  return undefined
}

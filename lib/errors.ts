/**
 * The closed set of errors the toolkit raises. Each carries a stable `code` from `IdempotencyErrorCode`, which
 * the HTTP layer turns into a problem+json type URI, and the HTTP status that code maps to; messages tell the
 * caller what to do next. The core's classes are here; the HTTP preset's (`http/errors.ts`) and durable
 * functions' (`durable/errors.ts`) live with their features, on the same branded base.
 */

/** Every code a toolkit error carries, wherever its class lives. */
export type IdempotencyErrorCode =
  | 'key-missing'
  | 'key-invalid'
  | 'principal-missing'
  | 'principal-unresolved'
  | 'in-progress'
  | 'payload-mismatch'
  | 'store-unavailable'
  | 'store-misconfigured'
  | 'lease-lost'
  | 'result-not-stored'
  | 'handler-timeout'
  | 'completion-rejected'
  | 'own-writes-in-step'
  | 'execution-unavailable'
  | 'operation-not-found'
  | 'method-not-allowed'

/** The HTTP status of each code: the compiler refuses a code without one. */
export const ERROR_STATUS: Readonly<Record<IdempotencyErrorCode, number>> = {
  'key-missing': 400,
  'key-invalid': 400,
  'principal-missing': 401,
  'principal-unresolved': 500,
  'in-progress': 409,
  'payload-mismatch': 422,
  'store-unavailable': 503,
  'store-misconfigured': 500,
  'lease-lost': 409,
  'result-not-stored': 500,
  'handler-timeout': 503,
  'completion-rejected': 500,
  'own-writes-in-step': 500,
  'execution-unavailable': 503,
  'operation-not-found': 404,
  'method-not-allowed': 405,
}

/**
 * Marks every toolkit error, whichever copy of the package made it: an app that loads both the ESM and the
 * CommonJS build (the dual-package hazard) has two `IdempotencyError` classes, and `instanceof` sees only one.
 */
const BRAND = Symbol.for('lambda-idempotency.error')

/**
 * Whether `error` is one of the toolkit's errors, from either build of the package, and, given a code, one with
 * that code. Use it at every boundary instead of `instanceof`.
 */
export function isIdempotencyError(error: unknown): error is IdempotencyError
export function isIdempotencyError<TCode extends IdempotencyErrorCode>(
  error: unknown,
  code: TCode,
): error is IdempotencyError & { readonly code: TCode }
export function isIdempotencyError(error: unknown, code?: IdempotencyErrorCode): boolean {
  const branded =
    typeof error === 'object' && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true
  return branded && (code === undefined || (error as IdempotencyError).code === code)
}

export class IdempotencyError extends Error {
  /** The brand `isIdempotencyError` reads. */
  readonly [BRAND] = true
  /** The HTTP status `code` maps to (`ERROR_STATUS`). */
  readonly statusCode: number

  constructor(
    message: string,
    readonly code: IdempotencyErrorCode,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
    this.statusCode = ERROR_STATUS[code]
  }
}

/** No idempotency key could be derived from the event. Nothing was stored; fix the request and retry. */
export class IdempotencyKeyMissingError extends IdempotencyError {
  constructor(detail = 'This operation needs an idempotency key. Send one and retry.') {
    super(detail, 'key-missing')
  }
}

/** The key is present but unusable (format, length, a stale UUIDv7). Nothing was stored. */
export class IdempotencyKeyInvalidError extends IdempotencyError {
  constructor(detail: string) {
    super(detail, 'key-invalid')
  }
}

/** Another attempt with the same key holds a live lease. Nothing ran; retry after `retryAfterSeconds`. */
export class IdempotencyInProgressError extends IdempotencyError {
  readonly retryAfterSeconds: number
  constructor(retryAfterMs: number) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
    super(
      `A request with this idempotency key is still being processed. Retry with the same key after ${retryAfterSeconds} s to receive its result.`,
      'in-progress',
    )
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** The key was first used with a different payload. Nothing ran; use a new key for a new request. */
export class IdempotencyPayloadMismatchError extends IdempotencyError {
  constructor() {
    super(
      'This idempotency key was already used with a different request payload. Use a new key for a new request, or resend the original payload.',
      'payload-mismatch',
    )
  }
}

/**
 * The store could not be reached or refused the call after the SDK's retries. Fail closed: the handler did not
 * run (or, if it ran, its key stays locked until the lease ends), so retrying with the same key is safe.
 */
export class IdempotencyStoreUnavailableError extends IdempotencyError {
  constructor(operation: string, cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
    super(
      `The idempotency store is unavailable (${operation} failed: ${reason}). Retry later with the same key.`,
      'store-unavailable',
      { cause },
    )
  }
}

/** What is wrong with a store that cannot work until someone changes its set-up. */
export type StoreMisconfiguration =
  | 'table-missing'
  | 'access-denied'
  | 'region-missing'
  | 'credentials-missing'

/**
 * The store cannot work as set up: its table does not exist, the function may not use it, or no region or no
 * credentials at all were found. Retrying changes nothing until the set-up is fixed, so this is no outage: the
 * handler did not run, and the message (for the operator: it names the table) says what to change. Clients get a
 * fixed 500 text.
 */
export class IdempotencyStoreMisconfiguredError extends IdempotencyError {
  constructor(
    readonly problem: StoreMisconfiguration,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`The idempotency store is not set up: ${detail}`, 'store-misconfigured', options)
  }
}

/**
 * This attempt's lease expired and another attempt took the key over. Its result was not stored (fencing);
 * the caller should retry with the same key to receive the stored result.
 */
export class IdempotencyLeaseLostError extends IdempotencyError {
  constructor(operation: 'complete' | 'release') {
    super(
      `This attempt lost its hold on the idempotency key before it could ${operation}: another attempt took over. Retry with the same key to receive the stored result.`,
      'lease-lost',
    )
  }
}

/**
 * The first attempt ran, but its result could not be stored (too large, or not serialisable). Replays get this
 * error rather than running the side effect again.
 */
export class IdempotencyResultNotStoredError extends IdempotencyError {
  constructor(reason: string) {
    super(
      `The request with this idempotency key was processed, but its response was not stored (${reason}). Do not retry with a new key; look the result up instead.`,
      'result-not-stored',
    )
  }
}

/**
 * The framework stopped waiting for the handler (Middy's early timeout) while its body may still be running.
 * The key stays held until its lease ends, so no retry runs beside it; after that a retry takes the key over.
 */
export class IdempotencyHandlerTimeoutError extends IdempotencyError {
  readonly retryAfterSeconds: number
  constructor(retryAfterMs: number, options?: ErrorOptions) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
    super(
      `The request with this idempotency key ran out of time while still being processed, and may yet finish. Its key stays held; retry with the same key after ${retryAfterSeconds} s.`,
      'handler-timeout',
      options,
    )
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/**
 * The store refused this request's completion for good (DynamoDB: a ValidationException), and not for its
 * result, which would have been recorded as not stored: the writes the handler added with `addToCompletion`
 * are invalid (an item over 400 KB, a missing key, two writes to one item). Nothing was committed and the key
 * was released, so a retry runs the handler again, and fails the same way until those writes are fixed.
 */
export class IdempotencyCompletionRejectedError extends IdempotencyError {
  /** False only when the store refused even a completion without result or writes: the lease then ends it. */
  readonly released: boolean
  constructor(released: boolean, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(
      released
        ? `The store refused this request's completion as invalid (${reason}): the writes added with addToCompletion were not committed and the idempotency key was released, so a retry with the same key runs the handler again. Fix those writes; retried unchanged, it fails the same way.`
        : `The store refused to record this request's outcome (${reason}), even without its result. The idempotency key stays held until its lease ends; a retry after that runs the handler again.`,
      'completion-rejected',
      { cause },
    )
    this.released = released
  }
}

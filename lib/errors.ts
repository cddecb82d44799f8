/**
 * The closed set of errors the toolkit raises. Each carries the HTTP status it maps to and a stable `code` that
 * the HTTP layer turns into a problem+json type URI; messages tell the caller what to do next.
 */
/**
 * Marks every toolkit error, whichever copy of the package made it: an app that loads both the ESM and the
 * CommonJS build (the dual-package hazard) has two `IdempotencyError` classes, and `instanceof` sees only one.
 */
const BRAND = Symbol.for('lambda-idempotency.error')

/** Whether `error` is one of the toolkit's errors, from either build of the package. */
export function isIdempotencyError(error: unknown): error is IdempotencyError {
  return typeof error === 'object' && error !== null && (error as { [BRAND]?: unknown })[BRAND] === true
}

export class IdempotencyError extends Error {
  /** The brand `isIdempotencyError` reads. */
  readonly [BRAND] = true

  constructor(
    message: string,
    readonly statusCode: number,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** No idempotency key could be derived from the event. Nothing was stored; fix the request and retry. */
export class IdempotencyKeyMissingError extends IdempotencyError {
  constructor(detail = 'This operation needs an idempotency key. Send one and retry.') {
    super(detail, 400, 'key-missing')
  }
}

/** The key is present but unusable (format, length, a stale UUIDv7). Nothing was stored. */
export class IdempotencyKeyInvalidError extends IdempotencyError {
  constructor(detail: string) {
    super(detail, 400, 'key-invalid')
  }
}

/**
 * The HTTP preset found no authenticated caller to scope the key to, and no anonymous fallback is configured.
 * Keys are per caller, so without one a key could replay another client's answer. Nothing was stored.
 */
export class IdempotencyPrincipalMissingError extends IdempotencyError {
  constructor() {
    super(
      'This API scopes idempotency keys to the authenticated caller, and this request has none. Authenticate and retry with the same key.',
      401,
      'principal-missing',
    )
  }
}

/**
 * The request was authenticated, but the preset cannot tell its caller apart from other callers (a shared role
 * session, an authorizer context without a field that names the caller, a token without issuer or subject).
 * Scoping the key to it could hand one caller another's answer, so nothing runs: a server configuration problem.
 * The message is for the operator and names the option that fixes it; clients get a fixed 500 text.
 */
export class IdempotencyPrincipalUnresolvedError extends IdempotencyError {
  constructor(reason: string) {
    super(
      `The request was authenticated, but ${reason}, so it cannot be told apart from other callers and its idempotency key cannot be scoped to it. Nothing was processed. Set the HTTP preset's \`principal\` option to return a value that names this caller.`,
      500,
      'principal-unresolved',
    )
  }
}

/** Another attempt with the same key holds a live lease. Nothing ran; retry after `retryAfterSeconds`. */
export class IdempotencyInProgressError extends IdempotencyError {
  readonly retryAfterSeconds: number
  constructor(retryAfterMs: number) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
    super(
      `A request with this idempotency key is still being processed. Retry with the same key after ${retryAfterSeconds} s to receive its result.`,
      409,
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
      422,
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
      503,
      'store-unavailable',
      { cause },
    )
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
      409,
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
      500,
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
      503,
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
      500,
      'completion-rejected',
      { cause },
    )
    this.released = released
  }
}

/**
 * A durable execution already has this name, started with another input: a key reused for a different request
 * (the service keeps a name for its retention period, which may outlast the idempotency record). Nothing was
 * started. The same HTTP answer as any payload mismatch: 422 `payload-mismatch`.
 */
export class DurableExecutionConflictError extends IdempotencyError {
  constructor(options?: ErrorOptions) {
    super(
      'This idempotency key already started background work with a different request payload. Use a new key for a new request, or resend the original payload.',
      422,
      'payload-mismatch',
      options,
    )
  }
}

/**
 * The durable execution service could not be asked (throttling, a network fault, missing permissions): nothing
 * is known to have started. Safe to retry with the same key, which names the same execution.
 */
export class DurableExecutionUnavailableError extends IdempotencyError {
  constructor(operation: 'start' | 'get', cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
    super(
      `Could not ${operation} the durable execution (${reason}). Retry later with the same key.`,
      503,
      'execution-unavailable',
      { cause },
    )
  }
}

/**
 * A durable handler made an own write (`addToCompletion`, `ownWrites()`, a statement through
 * `postgresTransactionOf(context)`) inside a step, a child context, a map or parallel branch, a waitForCallback
 * submitter or a waitForCondition check. Those run at least once per retry and are skipped on replay once
 * checkpointed, so the write would commit twice or never: it is refused where it is made, and nothing is written.
 */
export class IdempotencyOwnWritesInStepError extends IdempotencyError {
  constructor() {
    super(
      "Own writes are refused inside durable steps and child contexts: a step may run again, or be skipped on replay, so a write made there would commit twice or never. Make it in the handler's own code, outside any step (after the step that computes it returns): every invocation makes it again, and it commits exactly once, with the completion.",
      500,
      'own-writes-in-step',
    )
  }
}

/**
 * `GET /operations/{id}` for an operation that does not exist, is no longer remembered, or belongs to another
 * caller: the three answer alike, so an id reveals nothing to anyone but its owner.
 */
export class OperationNotFoundError extends IdempotencyError {
  constructor() {
    super(
      'There is no operation with this id for you. Use the Location of the 202 Accepted answer, with the same credentials that sent the request.',
      404,
      'operation-not-found',
    )
  }
}

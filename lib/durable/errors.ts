import { IdempotencyError } from '../errors.js'

/**
 * A durable execution already has this name, started with another input: a key reused for a different request
 * (the service keeps a name for its retention period, which may outlast the idempotency record). Nothing was
 * started. The same HTTP answer as any payload mismatch: 422 `payload-mismatch`.
 */
export class DurableExecutionConflictError extends IdempotencyError {
  constructor(options?: ErrorOptions) {
    super(
      'This idempotency key already started background work with a different request payload. Use a new key for a new request, or resend the original payload.',
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
      'operation-not-found',
    )
  }
}

/**
 * A 202 route without a handler serves only the methods it protects (POST and PATCH by default): another method
 * (a GET on the route) has nothing to run. The answer lists the methods it does take, in `Allow`.
 */
export class MethodNotAllowedError extends IdempotencyError {
  constructor(readonly allowed: readonly string[]) {
    super(
      `This route accepts ${allowed.join(' and ')} only: send the request with one of those methods.`,
      'method-not-allowed',
    )
  }
}

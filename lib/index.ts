/**
 * lambda-idempotency: one idempotency key, one effect. The core: the Middy middleware and the plain wrapper, the
 * handle a handler gets, the stores, the options, the outcome log and the errors. HTTP, event sources, durable
 * executions, PostgreSQL, the CDK constructs and the store contract are subpaths (`lambda-idempotency/http`, ...).
 *
 * @module
 */

export { type DynamoDBClientLike, DynamoDBStore, type DynamoDBStoreOptions } from './dynamodb/store.js'
export {
  IdempotencyCompletionRejectedError,
  IdempotencyError,
  type IdempotencyErrorCode,
  IdempotencyHandlerTimeoutError,
  IdempotencyInProgressError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyMissingError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyResultNotStoredError,
  IdempotencyStoreMisconfiguredError,
  IdempotencyStoreUnavailableError,
  isIdempotencyError,
  type StoreMisconfiguration,
} from './errors.js'
export {
  IdempotencyPrincipalMissingError,
  IdempotencyPrincipalUnresolvedError,
} from './http/errors.js'
export { type IdempotencyHandle, idempotencyOf } from './invocation.js'
export { makeIdempotent } from './make-idempotent.js'
export { InMemoryStore } from './memory/store.js'
export { OUTCOME_METRIC_NAMES } from './metric-names.js'
export type { MiddyContext, MiddyMiddleware, MiddyRequest } from './middy/adapter.js'
export { idempotency } from './middy/middleware.js'
export { logOutcomes, OUTCOME_LEVELS, type OutcomeLevel, outcomeFields } from './observability.js'
export {
  type CommonOptions,
  type IdempotencyLogger,
  type IdempotencyOptions,
  type IdempotencyOutcome,
  type IdempotencyOutcomeType,
  jsonLinesLogger,
  type LambdaContextLike,
} from './options.js'
export type { IdempotencyStore } from './store/interface.js'

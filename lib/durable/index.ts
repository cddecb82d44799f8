/**
 * `lambda-idempotency/durable`: Lambda durable functions under one idempotency claim per execution, a dispatcher
 * that starts one execution per event-source record, and accept-then-process HTTP routes (202 Accepted with
 * `GET /operations/{id}`). Needs `@aws/durable-execution-sdk-js` (and `@aws-sdk/client-lambda` to start
 * executions on Lambda); no other entry point loads this module. Guide: docs/durable.md.
 *
 * @module
 */

export { httpAccepted } from './accepted-middleware.js'
export {
  DEFAULT_OPERATIONS_PATH,
  DEFAULT_RETRY_AFTER_SECONDS,
  type HttpAcceptedOptions,
} from './accepted-route.js'
export { type DurableDispatcherOptions, makeDurableDispatcher } from './dispatcher.js'
export {
  CLAIM_STEP,
  COMPLETE_STEP,
  type DurableIdempotencyOptions,
  makeDurableIdempotent,
  RELEASE_STEP,
} from './durable-idempotent.js'
export { MAX_EXECUTION_TIMEOUT_SECONDS } from './durable-terms.js'
export {
  DurableExecutionConflictError,
  DurableExecutionUnavailableError,
  IdempotencyOwnWritesInStepError,
  MethodNotAllowedError,
  OperationNotFoundError,
} from './errors.js'
export type { DurableExecutions, ExecutionStart, ExecutionState, ExecutionStatus } from './executions.js'
export { makeHttpAccepted } from './http-accepted.js'
export { LambdaDurableExecutions, type LambdaDurableExecutionsOptions } from './lambda-executions.js'
export {
  type DurableLambdaHandlerLike,
  LocalDurableExecutions,
  type LocalDurableExecutionsOptions,
} from './local-executions.js'
export { executionNameFor, isExecutionName, scopedRecordKey } from './names.js'
export { makeOperationsHandler, type OperationsOptions } from './operations.js'
export type {
  DurableContextLike,
  DurableEnvelope,
  DurableRetryDecision,
  DurableStepConfig,
} from './types.js'

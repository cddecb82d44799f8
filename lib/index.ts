export { type AttemptRequest, type Decision, decide } from './decide.js'
export { DynamoDBStore, type DynamoDBStoreOptions } from './dynamodb-store.js'
export {
  type Begun,
  createIdempotencyEngine,
  type EngineKey,
  type IdempotencyEngine,
  type KnownRecord,
} from './engine.js'
export {
  IdempotencyCompletionRejectedError,
  IdempotencyError,
  IdempotencyHandlerTimeoutError,
  IdempotencyInProgressError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyMissingError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyPrincipalMissingError,
  IdempotencyPrincipalUnresolvedError,
  IdempotencyResultNotStoredError,
  IdempotencyStoreUnavailableError,
  isIdempotencyError,
} from './errors.js'
export {
  type IdempotentBatchOptions,
  makeIdempotentBatchHandler,
  makeVersionedBatchHandler,
  type VersionedBatchOptions,
} from './events/batch.js'
export type {
  BatchRunOptions,
  RecordHandler,
  RecordOutcome,
  RecordOutcomeKind,
} from './events/batch-runner.js'
export { DynamoDBVersionStore } from './events/dynamodb-version-store.js'
export { DynamoDBWatermarkStore } from './events/dynamodb-watermark-store.js'
export {
  type IdempotentFunction,
  type IdempotentFunctionOptions,
  makeIdempotentFunction,
} from './events/idempotent-function.js'
export type { IdempotentRecordOptions } from './events/idempotent-records.js'
export {
  dynamoDBStreamKey,
  eventBridgeKey,
  kafkaRecordKey,
  kinesisDataKey,
  kinesisRecordKey,
  s3RecordKey,
  sqsAttributeKey,
  sqsBodyKey,
  sqsMessageKey,
} from './events/keys.js'
export {
  type BatchSource,
  dynamoDBStreamBatch,
  kafkaBatch,
  kinesisBatch,
  s3Batch,
  sqsBatch,
} from './events/sources.js'
export {
  type ClaimResult,
  decideVersion,
  InMemoryVersionStore,
  type VersionClaim,
  type VersionDecision,
  type VersionState,
  type VersionStore,
} from './events/version-store.js'
export {
  type EntityVersion,
  makeVersioned,
  type VersionedOptions,
  type VersionedOutcome,
} from './events/versioned.js'
export {
  type WatermarkJob,
  type WatermarkJobOptions,
  type WatermarkRun,
  type WatermarkWindow,
  watermarkJob,
} from './events/watermark.js'
export {
  decideWatermark,
  InMemoryWatermarkStore,
  type WatermarkClaim,
  type WatermarkDecision,
  type WatermarkLease,
  type WatermarkState,
  type WatermarkStore,
} from './events/watermark-store.js'
export { canonicalJson, fingerprintOf, sha256 } from './fingerprint.js'
export { makeHttpIdempotent } from './http/make-http-idempotent.js'
export { httpIdempotency } from './http/middleware.js'
export { DEFAULT_IDEMPOTENT_METHODS, DEFAULT_MAX_WAIT_SECONDS } from './http/preset.js'
export type { Principal } from './http/principal.js'
export {
  DEFAULT_PROBLEM_TYPE_BASE,
  idempotencyProblem,
  type Problem,
  problemResponse,
  STORE_UNAVAILABLE_RETRY_AFTER_SECONDS,
} from './http/problem.js'
export { httpScopeOf } from './http/scope.js'
export type { HttpEvent, HttpIdempotencyOptions, HttpResult } from './http/types.js'
export { type IdempotencyHandle, type Invocation, idempotencyOf } from './invocation.js'
export { makeIdempotent } from './make-idempotent.js'
export { InMemoryStore } from './memory-store.js'
export { OUTCOME_METRIC_NAMES, SERVICE_DIMENSION } from './metric-names.js'
export { idempotency } from './middleware.js'
export {
  logOutcomes,
  OUTCOME_LEVELS,
  OUTCOME_LOG_MESSAGE,
  type OutcomeLevel,
  outcomeFields,
} from './observability.js'
export {
  type CommonOptions,
  DEFAULT_LEASE_MS,
  DEFAULT_OPERATION,
  DEFAULT_TTL_SECONDS,
  type IdempotencyLogger,
  type IdempotencyOptions,
  type IdempotencyOutcome,
  type IdempotencyOutcomeType,
  jsonLinesLogger,
  type LambdaContextLike,
  LEASE_MARGIN_MS,
} from './options.js'
export { CollectedWrites, type DynamoDBOwnWrites } from './own-writes.js'
export type { CompletedRecord, IdempotencyRecord, InProgressRecord, StoredResult } from './record.js'
export { defaultNamespace, namespaceOfRecordKey, recordKeyOf } from './record-key.js'
export { DEFAULT_COMPRESS_ABOVE_BYTES, DEFAULT_MAX_STORED_BYTES } from './result-codec.js'
export {
  EVENT_STATE_ATTRIBUTES,
  IDEMPOTENCY_ATTRIBUTES,
  IDEMPOTENCY_PARTITION_KEY,
  IDEMPOTENCY_TABLE_ENV,
  IDEMPOTENCY_TTL_ATTRIBUTE,
  idempotencyTableDefinition,
} from './schema.js'
export {
  type AcquireResult,
  type IdempotencyStore,
  type OwnWritesClaim,
  type RefusedPart,
  StoreWriteRefusedError,
} from './store.js'

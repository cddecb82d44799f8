/**
 * `lambda-idempotency/events`: batches from SQS, Kinesis, Kafka, DynamoDB Streams and S3 with partial batch
 * responses, event-source key helpers, version-aware processing, watermark jobs and idempotent steps.
 *
 * @module
 */

export {
  type IdempotentBatchOptions,
  makeIdempotentBatchHandler,
  makeVersionedBatchHandler,
  type VersionedBatchOptions,
} from './batch.js'
export type { BatchRunOptions, RecordHandler, RecordOutcome, RecordOutcomeKind } from './batch-runner.js'
export { DynamoDBVersionStore } from './dynamodb-version-store.js'
export { DynamoDBWatermarkStore } from './dynamodb-watermark-store.js'
export {
  type IdempotentFunction,
  type IdempotentFunctionOptions,
  makeIdempotentFunction,
} from './idempotent-function.js'
export type { IdempotentRecordOptions } from './idempotent-records.js'
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
} from './keys.js'
export {
  type BatchSource,
  dynamoDBStreamBatch,
  type KafkaEvent,
  type KafkaRecord,
  kafkaBatch,
  kinesisBatch,
  s3Batch,
  sqsBatch,
} from './sources.js'
export {
  type ClaimResult,
  decideVersion,
  InMemoryVersionStore,
  type VersionClaim,
  type VersionDecision,
  type VersionState,
  type VersionStore,
} from './version-store.js'
export {
  type EntityVersion,
  makeVersioned,
  type VersionedOptions,
  type VersionedOutcome,
} from './versioned.js'
export {
  type WatermarkJob,
  type WatermarkJobOptions,
  type WatermarkRun,
  type WatermarkWindow,
  watermarkJob,
} from './watermark.js'
export {
  decideWatermark,
  InMemoryWatermarkStore,
  type WatermarkClaim,
  type WatermarkDecision,
  type WatermarkLease,
  type WatermarkState,
  type WatermarkStore,
} from './watermark-store.js'

/**
 * `lambda-idempotency/events`: batches from SQS, Kinesis, Kafka, DynamoDB Streams and S3 with partial batch
 * responses, event-source key helpers, version-aware processing, watermark jobs and idempotent steps.
 *
 * @module
 */

export { DynamoDBVersionStore } from '../dynamodb/version-store.js'
export { DynamoDBWatermarkStore } from '../dynamodb/watermark-store.js'
export { InMemoryVersionStore } from '../memory/version-store.js'
export { InMemoryWatermarkStore } from '../memory/watermark-store.js'
export {
  type ClaimResult,
  decideVersion,
  type VersionClaim,
  type VersionDecision,
  type VersionState,
  type VersionStore,
} from '../store/version-store.js'
export {
  decideWatermark,
  type WatermarkClaim,
  type WatermarkDecision,
  type WatermarkLease,
  type WatermarkState,
  type WatermarkStore,
} from '../store/watermark-store.js'
export {
  type IdempotentBatchOptions,
  makeIdempotentBatchHandler,
  makeVersionedBatchHandler,
  type VersionedBatchOptions,
} from './batch.js'
export type { BatchRunOptions, RecordHandler, RecordOutcome, RecordOutcomeKind } from './batch-runner.js'
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

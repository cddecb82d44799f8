/**
 * `lambda-idempotency/pipelines/dynamodb`: the job store and the write helpers on DynamoDB: upsert by key
 * (last writer wins), versioned upsert (a late run never overwrites a newer one) and partition replace behind a
 * pointer switched with the run's completion. Items are written with `@aws-sdk/lib-dynamodb` (plain JavaScript
 * values); needs neither `pg` nor the S3 client. Guide: docs/pipelines.md.
 *
 * @module
 */

export {
  type Item,
  type StoredItem,
  UnprocessedItemsError,
  type UpsertItemsOptions,
  upsertItems,
} from './batch-write.js'
export { DynamoDBJobStore, type DynamoDBJobStoreOptions } from './job-store.js'
export { DynamoDBJobWrites, type DynamoDBTransactItem, dynamoDBJobWrites } from './job-writes.js'
export {
  type DynamoDBPartitions,
  type DynamoDBPartitionsOptions,
  dynamoDBPartitions,
  type PartitionWriter,
} from './partitions.js'
export { type PutNewerItemsOptions, putNewerItems } from './versioned.js'

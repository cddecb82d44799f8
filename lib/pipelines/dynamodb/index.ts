/**
 * `lambda-idempotency/pipelines/dynamodb`: the job store on DynamoDB. Items are written with
 * `@aws-sdk/lib-dynamodb` (plain JavaScript values); needs neither `pg` nor the S3 client. Guide:
 * docs/pipelines.md.
 *
 * @module
 */

export { DynamoDBJobStore, type DynamoDBJobStoreOptions } from './job-store.js'
export { DynamoDBJobWrites, type DynamoDBTransactItem, dynamoDBJobWrites } from './job-writes.js'

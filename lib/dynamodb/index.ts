/**
 * `lambda-idempotency/dynamodb`: the store on DynamoDB (also exported from the root), and own writes given the
 * way lib-dynamodb takes them (`documentWrites`, which needs `@aws-sdk/util-dynamodb`, installed with
 * lib-dynamodb). Guide: docs/how-it-works.md, and docs/use-in-your-project.md for running it locally.
 *
 * @module
 */
export { type DocumentWrite, documentWrites } from './documents.js'
export {
  IDEMPOTENCY_TABLE_ENV,
  type IdempotencyTableDefinition,
  idempotencyTableDefinition,
} from './schema.js'
export { type DynamoDBClientLike, DynamoDBStore, type DynamoDBStoreOptions } from './store.js'

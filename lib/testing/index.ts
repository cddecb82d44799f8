/**
 * `lambda-idempotency/testing`: the behaviours every `IdempotencyStore` must have, to run against your own store
 * as a suite (`describeStoreContract` with vitest's or jest's describe and it) or case by case
 * (`storeContractCases`, `runStoreContract`). For tests of your own handlers on DynamoDB Local:
 * `ensureDynamoDBLocal` starts it on 127.0.0.1 (or reuses the one `DYNAMODB_ENDPOINT` names) and
 * `createIdempotencyTable` makes a uniquely named table per test file; `idempotencyTableDefinition` is the table's
 * CreateTable input. Imports no test runner.
 *
 * @module
 */

export { type IdempotencyTableDefinition, idempotencyTableDefinition } from '../dynamodb/schema.js'
export { describeStoreContract, type TestRunner } from './describe.js'
export {
  createIdempotencyTable,
  type DynamoDBLocalForTests,
  type DynamoDBLocalTestOptions,
  ensureDynamoDBLocal,
  type IdempotencyTestTable,
  type IdempotencyTestTableOptions,
} from './dynamodb-local.js'
export {
  type OwnWritesAdapter,
  type StoreContractCase,
  type StoreContractHarness,
  StoreContractViolation,
  type StoreHarnessFactory,
} from './harness.js'
export {
  runStoreContract,
  runStoreContractCase,
  type StoreContractOutcome,
  storeContractCases,
} from './run.js'

/**
 * `lambda-idempotency/testing`: the behaviours every `IdempotencyStore` must have, to run against your own store
 * as a suite (`describeStoreContract` with vitest's or jest's describe and it) or case by case
 * (`storeContractCases`, `runStoreContract`). `idempotencyTableDefinition` creates the DynamoDB table for
 * tests against DynamoDB Local.
 *
 * @module
 */

export { idempotencyTableDefinition } from '../dynamodb/schema.js'
export { describeStoreContract, type TestRunner } from './describe.js'
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

/**
 * `lambda-idempotency/store`: what it takes to write a store of your own, or a tool that reads records: the
 * record shapes, the pure `decide` the acquire condition must mirror, own writes, refusals, and the key and
 * fingerprint derivations. Prove a store with the contract in `lambda-idempotency/testing`.
 *
 * @module
 */

export { type AttemptRequest, type Decision, decide } from '../decide.js'
export type { DynamoDBOwnWrites } from '../dynamodb/own-writes.js'
export { canonicalJson, fingerprintOf, sha256 } from '../fingerprint.js'
export type { CompletedRecord, IdempotencyRecord, InProgressRecord, StoredResult } from '../record.js'
export { defaultNamespace, namespaceOfRecordKey, recordKeyOf } from '../record-key.js'
export { CollectedWrites } from './collected-writes.js'
export {
  type AcquireResult,
  type OwnWritesClaim,
  type RefusedPart,
  StoreWriteRefusedError,
} from './interface.js'

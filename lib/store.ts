import type { TransactWriteItem } from '@aws-sdk/client-dynamodb'
import type { CompletedRecord, IdempotencyRecord, InProgressRecord } from './record.js'

export type AcquireResult =
  | { readonly acquired: true }
  /** The write was refused; `existing` is the record that refused it, read in the same call. */
  | { readonly acquired: false; readonly existing: IdempotencyRecord }

/** Which part of a completion the store refused: its own record, the caller's extra writes, or it cannot tell. */
export type RefusedPart = 'record' | 'extra-writes' | 'unknown'

/**
 * Thrown by `complete` when the store refuses the write for good (too large or invalid for it): sending it
 * again can never succeed, so it is no outage. The engine then records the result as not stored, or releases
 * the key when the caller's extra writes are to blame.
 */
export class StoreWriteRefusedError extends Error {
  constructor(
    readonly refused: RefusedPart,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/**
 * Where records live. Every write is conditional: acquire only over an absent, expired or abandoned record
 * (exactly when `decide` says execute), complete and release only while the record still carries the caller's
 * token. A refused complete or release throws `IdempotencyLeaseLostError`; store faults throw
 * `IdempotencyStoreUnavailableError`; a completion the store can never accept throws `StoreWriteRefusedError`.
 */
export interface IdempotencyStore {
  /**
   * The largest stored result (bytes of JSON, or of compressed JSON) one record can hold whatever its key, for a
   * store with an item limit: `maxStoredBytes` above it is refused when a wrapper is built.
   */
  readonly maxResultBytes?: number
  acquire(record: InProgressRecord, nowEpochMs: number): Promise<AcquireResult>
  /** `extraWrites` commit in the same transaction as the completion (DynamoDB: TransactWriteItems). */
  complete(record: CompletedRecord, extraWrites?: readonly TransactWriteItem[]): Promise<void>
  release(key: string, token: string): Promise<void>
  get(key: string): Promise<IdempotencyRecord | undefined>
  /** Records for many keys in as few calls as the store allows (DynamoDB: BatchGetItem); absent keys are left out. */
  getMany(keys: readonly string[]): Promise<Map<string, IdempotencyRecord>>
}

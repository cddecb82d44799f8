import type { CompletedRecord, IdempotencyRecord, InProgressRecord } from '../record.js'

export type AcquireResult =
  | { readonly acquired: true }
  /** The write was refused; `existing` is the record that refused it, read in the same call. */
  | { readonly acquired: false; readonly existing: IdempotencyRecord }

const REFUSED = Symbol.for('lambda-idempotency.store-write-refused')

/** Whether `error` is a `StoreWriteRefusedError`, from either build of the package. */
export function isStoreWriteRefused(error: unknown): error is StoreWriteRefusedError {
  return typeof error === 'object' && error !== null && (error as { [REFUSED]?: unknown })[REFUSED] === true
}

/** Which part of a completion the store refused: its own record, the handler's own writes, or it cannot tell. */
export type RefusedPart = 'record' | 'own-writes' | 'unknown'

/**
 * Thrown by `complete` when the store refuses the write for good (too large or invalid for it): sending it
 * again can never succeed, so it is no outage. The engine then records the result as not stored, or releases
 * the key when the handler's own writes are to blame.
 */
export class StoreWriteRefusedError extends Error {
  /** The brand `isStoreWriteRefused` reads: a store may come from the other build (ESM or CommonJS). */
  readonly [REFUSED] = true
  constructor(
    readonly refused: RefusedPart,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The claim a store opens the handler's own writes for. */
export interface OwnWritesClaim {
  readonly key: string
  readonly token: string
  /**
   * Called before every write the handler makes through them; throws where no write may be made (inside a
   * durable step, which may run again or be skipped on replay). Absent: any write may be made.
   */
  readonly assertWritable?: () => void
}

/**
 * Where records live. Every write is conditional: acquire only over an absent, expired or abandoned record
 * (exactly when `decide` says execute), complete and release only while the record still carries the caller's
 * token. A refused complete or release throws `IdempotencyLeaseLostError`; store faults throw
 * `IdempotencyStoreUnavailableError`; a completion the store can never accept throws `StoreWriteRefusedError`.
 *
 * A store may let the handler's own writes join the completion (`openOwnWrites`), and says what they are with
 * `TOwnWrites`: DynamoDB collects TransactWriteItems, PostgreSQL opens a transaction to query through. Either
 * way they commit with the completion or not at all. Every store proves itself with the shared contract in
 * `lambda-idempotency/testing`.
 */
export interface IdempotencyStore<TOwnWrites = unknown> {
  /**
   * The largest stored result (bytes of JSON, or of compressed JSON) one record can hold whatever its key, for a
   * store with an item limit: `maxStoredBytes` above it is refused when a wrapper is built.
   */
  readonly maxResultBytes?: number
  acquire(record: InProgressRecord, nowEpochMs: number): Promise<AcquireResult>
  /**
   * Stores the completed record if it still carries its token. `ownWrites`, when the handler opened them,
   * commit in the same transaction, or nothing does; either way they are finished with, except after a
   * `StoreWriteRefusedError` for the record alone, when the engine completes once more without the result.
   */
  complete(record: CompletedRecord, ownWrites?: TOwnWrites): Promise<void>
  /** Deletes the record if it still carries `token`; `ownWrites` are discarded, never committed. */
  release(key: string, token: string, ownWrites?: TOwnWrites): Promise<void>
  get(key: string): Promise<IdempotencyRecord | undefined>
  /** Records for many keys in as few calls as the store allows (DynamoDB: BatchGetItem); absent keys are left out. */
  getMany(keys: readonly string[]): Promise<Map<string, IdempotencyRecord>>
  /** Opens what the handler writes through for this claim, on its first use; absent when the store joins none. */
  openOwnWrites?(claim: OwnWritesClaim): TOwnWrites
  /**
   * Gives up own writes that will never complete (the handler was abandoned while running): none commits. A store
   * has it when its own writes live in something that must be ended (a transaction), which a failed completion
   * ends too: such writes cannot be sent again, only made again.
   */
  discardOwnWrites?(ownWrites: TOwnWrites): Promise<void>
}

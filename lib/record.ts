/** How a handler's result is kept: plain JSON, brotli-compressed JSON, `undefined`, or not at all. */
export type StoredResult =
  | { readonly encoding: 'json'; readonly json: string }
  | { readonly encoding: 'json+br'; readonly compressed: Uint8Array }
  | { readonly encoding: 'undefined' }
  | { readonly encoding: 'not-stored'; readonly reason: string }

interface RecordBase {
  /** `${namespace}#${sha256(key)}`: scoped and hashed, never the raw key. */
  readonly key: string
  readonly fingerprint: string
  /** Fencing token: random per attempt, so a late attempt cannot touch its successor's record. */
  readonly token: string
  /** Retention end; DynamoDB TTL deletes some time after it, so readers compare it with now. */
  readonly expiresAtEpochSeconds: number
}

export interface InProgressRecord extends RecordBase {
  readonly status: 'IN_PROGRESS'
  readonly leaseUntilEpochMs: number
}

export interface CompletedRecord extends RecordBase {
  readonly status: 'COMPLETED'
  readonly result: StoredResult
  readonly completedAtEpochMs: number
}

/** The two stored statuses. "Expired" is never stored: it is derived from `expiresAtEpochSeconds` and now. */
export type IdempotencyRecord = InProgressRecord | CompletedRecord

export const toEpochSeconds = (epochMs: number): number => Math.floor(epochMs / 1000)

/**
 * The earliest retention end that keeps a record alive through `epochMs`: a record is expired once
 * `expiresAtEpochSeconds <= floor(nowMs / 1000)`, which no nowMs before `epochMs` reaches when
 * expiresAtEpochSeconds >= ceil(epochMs / 1000).
 */
export const retainedThroughEpochSeconds = (epochMs: number): number => Math.ceil(epochMs / 1000)

export const isExpired = (record: IdempotencyRecord, nowEpochMs: number): boolean =>
  record.expiresAtEpochSeconds <= toEpochSeconds(nowEpochMs)

/**
 * Whether `token` already completed this record: a completion or release sent again after the first landed (its
 * answer lost to a timeout, a dropped connection, a durable step retried) finds this, and must apply nothing.
 */
export const completedBy = (
  record: IdempotencyRecord | undefined,
  token: string,
): record is CompletedRecord => record?.status === 'COMPLETED' && record.token === token

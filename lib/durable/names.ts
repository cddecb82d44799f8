import { sha256 } from '../fingerprint.js'

/** Lambda's rule for `DurableExecutionName`: 1 to 64 letters, digits, hyphens and underscores. */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,64}$/

/**
 * The name of the durable execution that does the work of one idempotency record: the 43 base64url characters
 * of `sha256(${recordKey}#execution)` (which is `idempotencyOf(context).stableKey('execution')` of the record's
 * holder). The record key is already scoped and hashed, so the name carries neither the raw key nor the caller,
 * and cannot be guessed without both.
 */
export function executionNameFor(recordKey: string): string {
  return sha256(`${recordKey}#execution`)
}

/** A record key as the engine builds it: the namespace, then the SHA-256 of the raw key. */
export function scopedRecordKey(namespace: string, rawKey: string): string {
  return `${namespace}#${sha256(rawKey)}`
}

export function isExecutionName(name: string): boolean {
  return EXECUTION_NAME.test(name)
}

export function checkExecutionName(name: string): void {
  if (isExecutionName(name)) return
  throw new RangeError(
    `A durable execution name is 1 to 64 letters, digits, hyphens and underscores; got ${JSON.stringify(name.slice(0, 80))}. Derive it with executionNameFor(recordKey).`,
  )
}

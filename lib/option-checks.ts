import type { IdempotencyStore } from './store/interface.js'

/**
 * Options that cannot work, refused when a wrapper is built (at cold start, where a deployment's smoke test
 * sees it) rather than discovered on a request after a handler has run. Each message says what to change.
 */

/** A lease of zero or less is over before the claim lands; NaN or Infinity cannot be stored or compared. */
export function checkLeaseMs(leaseMs: number | undefined): void {
  if (leaseMs === undefined || (Number.isFinite(leaseMs) && leaseMs > 0)) return
  throw new RangeError(
    `leaseMs must be a positive, finite number of milliseconds, got ${leaseMs}: it is how long a claim holds when there is no Lambda context (e.g. 60000).`,
  )
}

export interface CheckedOptions {
  readonly store: IdempotencyStore
  readonly ttlSeconds: number
  readonly missingKey: string
  readonly compressAboveBytes: number
  readonly maxStoredBytes: number
}

export function checkOptions(options: CheckedOptions, explicitLeaseMs: number | undefined): void {
  const { ttlSeconds, compressAboveBytes, maxStoredBytes, store } = options
  // Retention ends are epoch seconds (DynamoDB's TTL reads them), so a fraction of a second cannot be kept.
  if (!(Number.isSafeInteger(ttlSeconds) && ttlSeconds >= 1))
    throw new RangeError(
      `ttlSeconds must be a whole number of seconds, 1 or more, got ${ttlSeconds}: it is how long a completed result is replayed (e.g. 86400 for 24 h).`,
    )
  checkLeaseMs(explicitLeaseMs)
  if (explicitLeaseMs !== undefined && ttlSeconds * 1000 < explicitLeaseMs)
    throw new RangeError(
      `ttlSeconds (${ttlSeconds}) is shorter than leaseMs (${explicitLeaseMs} ms): a completed result would be forgotten before a claim's lease ends, so a retry in between would run again. Raise ttlSeconds to ${Math.ceil(explicitLeaseMs / 1000)} or more, or lower leaseMs.`,
    )
  if (options.missingKey !== 'error' && options.missingKey !== 'passthrough')
    throw new RangeError(
      `missingKey must be 'error' or 'passthrough', got '${options.missingKey}': an unknown mode must not run keyless events unprotected.`,
    )
  checkBytes('compressAboveBytes', compressAboveBytes)
  checkBytes('maxStoredBytes', maxStoredBytes)
  const limit = store.maxResultBytes
  if (limit !== undefined && maxStoredBytes > limit)
    throw new RangeError(
      `maxStoredBytes (${maxStoredBytes}) is more than ${store.constructor.name} can keep in one record (${limit} bytes, after the key and the record's other attributes): the completion would be refused. Lower maxStoredBytes to ${limit} or less; a larger result is then recorded as processed but not stored.`,
    )
  if (compressAboveBytes > maxStoredBytes)
    throw new RangeError(
      `compressAboveBytes (${compressAboveBytes}) is above maxStoredBytes (${maxStoredBytes}): a result between the two would be kept uncompressed and too large to store. Set compressAboveBytes to ${maxStoredBytes} or less.`,
    )
}

function checkBytes(name: string, bytes: number): void {
  if (Number.isFinite(bytes) && bytes >= 0) return
  throw new RangeError(`${name} must be a finite number of bytes, 0 or more, got ${bytes}.`)
}

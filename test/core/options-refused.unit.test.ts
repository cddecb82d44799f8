import { describe, expect, it } from 'vitest'
import { createIdempotencyEngine } from '../../lib/engine.js'
import {
  InMemoryVersionStore,
  InMemoryWatermarkStore,
  makeIdempotentFunction,
  makeVersioned,
  watermarkJob,
} from '../../lib/events/index.js'
import { httpIdempotency } from '../../lib/http/index.js'
import {
  DynamoDBStore,
  type IdempotencyOptions,
  InMemoryStore,
  idempotency,
  makeIdempotent,
} from '../../lib/index.js'
import { DEFAULT_MAX_STORED_BYTES } from '../../lib/result-codec.js'

/** Options that cannot work are refused when the wrapper is built, at cold start, never on a request. */
const dynamodb = new DynamoDBStore({ tableName: 'never-called' })
const engineWith = (options: Partial<IdempotencyOptions<unknown, unknown>>) => () =>
  createIdempotencyEngine({ store: new InMemoryStore(), key: () => 'k', ...options })

describe('options refused at construction', () => {
  it.each([0, -60, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses ttlSeconds %s', (ttlSeconds) => {
    expect(engineWith({ ttlSeconds })).toThrow(RangeError)
    expect(engineWith({ ttlSeconds })).toThrow(/ttlSeconds must be a whole number of seconds, 1 or more/)
  })

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses leaseMs %s', (leaseMs) => {
    expect(engineWith({ leaseMs })).toThrow(RangeError)
    expect(engineWith({ leaseMs })).toThrow(/leaseMs must be a positive, finite number of milliseconds/)
  })

  it('refuses a retention shorter than an explicit lease: the result would be forgotten first', () => {
    expect(engineWith({ ttlSeconds: 60, leaseMs: 120_000 })).toThrow(RangeError)
    expect(engineWith({ ttlSeconds: 60, leaseMs: 120_000 })).toThrow(
      /ttlSeconds \(60\) is shorter than leaseMs \(120000 ms\).*Raise ttlSeconds to 120 or more, or lower leaseMs/,
    )
    expect(engineWith({ ttlSeconds: 120, leaseMs: 120_000 })).not.toThrow()
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses byte limits of %s', (bytes) => {
    expect(engineWith({ maxStoredBytes: bytes })).toThrow(/maxStoredBytes must be a finite number of bytes/)
    expect(engineWith({ compressAboveBytes: bytes })).toThrow(
      /compressAboveBytes must be a finite number of bytes/,
    )
  })

  it('refuses compressAboveBytes above maxStoredBytes: results between the two could never be stored', () => {
    expect(engineWith({ compressAboveBytes: 20_000, maxStoredBytes: 10_000 })).toThrow(
      /compressAboveBytes \(20000\) is above maxStoredBytes \(10000\).*Set compressAboveBytes to 10000 or less/,
    )
    expect(engineWith({ compressAboveBytes: 10_000, maxStoredBytes: 10_000 })).not.toThrow()
  })

  it('refuses maxStoredBytes above what one DynamoDB item holds once the key and the other attributes count', () => {
    const limit = dynamodb.maxResultBytes
    expect(limit).toBeGreaterThan(DEFAULT_MAX_STORED_BYTES)
    expect(limit).toBeLessThan(400 * 1024)
    expect(engineWith({ store: dynamodb, maxStoredBytes: limit })).not.toThrow()
    expect(engineWith({ store: dynamodb, maxStoredBytes: limit + 1 })).toThrow(
      new RegExp(
        `maxStoredBytes \\(${limit + 1}\\) is more than DynamoDBStore can keep in one record \\(${limit} bytes`,
      ),
    )
    expect(engineWith({ store: dynamodb, maxStoredBytes: 1_000_000, compressAboveBytes: 500_000 })).toThrow(
      /Lower maxStoredBytes to \d+ or less/,
    )
  })

  it('refuses a missingKey mode it does not know, rather than running keyless events unprotected', () => {
    expect(engineWith({ missingKey: 'skip' as 'error' })).toThrow(
      /missingKey must be 'error' or 'passthrough', got 'skip'/,
    )
  })

  it('refuses them in every wrapper built on the engine', () => {
    const store = new InMemoryStore()
    const handler = async () => 'ok'
    expect(() => makeIdempotent(handler, { store, key: () => 'k', ttlSeconds: 0 })).toThrow(/ttlSeconds/)
    expect(() => idempotency({ store, key: () => 'k', leaseMs: 0 })).toThrow(/leaseMs/)
    expect(() => makeIdempotentFunction(handler, { store, operation: 'step', ttlSeconds: -1 })).toThrow(
      /ttlSeconds/,
    )
    expect(() => httpIdempotency({ store: dynamodb, ttlSeconds: Number.NaN })).toThrow(/ttlSeconds/)
  })

  it('refuses a lease that cannot hold in the version-aware and watermark helpers', () => {
    for (const leaseMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() =>
        makeVersioned(async () => undefined, {
          store: new InMemoryVersionStore(),
          entity: () => ({ id: 'order-1', version: 1 }),
          leaseMs,
        }),
      ).toThrow(/leaseMs must be a positive, finite number of milliseconds/)
      expect(() =>
        watermarkJob({ store: new InMemoryWatermarkStore(), name: 'export', initial: 0, leaseMs }),
      ).toThrow(/leaseMs must be a positive, finite number of milliseconds/)
    }
  })
})

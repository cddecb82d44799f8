import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import type { CompletedRecord, IdempotencyRecord, InProgressRecord, StoredResult } from '../record.js'
import type { AcquireResult, IdempotencyStore } from '../store/interface.js'

/**
 * How the contract writes through a store's own writes and reads them back from outside. DynamoDB: add a Put of
 * an item named `id` to a side table, then GetItem it; PostgreSQL: INSERT a row through the transaction, then
 * SELECT it on another connection.
 */
export interface OwnWritesAdapter<TOwnWrites> {
  /** Writes one item or row named `id` through what `openOwnWrites` returned. */
  write(ownWrites: TOwnWrites, id: string): Promise<void> | void
  /** Whether the item or row named `id` is committed, as any other reader would see it. */
  exists(id: string): Promise<boolean>
}

/**
 * What one case runs against. Every case uses keys of its own (random UUIDs), so a harness may share one table
 * between cases; `close` runs after the case whatever its outcome.
 */
export interface StoreContractHarness<TOwnWrites = unknown> {
  readonly store: IdempotencyStore<TOwnWrites>
  /** The clock the cases start from (every time they pass is an offset from it). @default Date.now */
  readonly now?: () => number
  /** Required exactly when the store joins own writes (`openOwnWrites`); the cases check both agree. */
  readonly ownWrites?: OwnWritesAdapter<TOwnWrites>
  close?(): Promise<void> | void
}

export type StoreHarnessFactory<TOwnWrites = unknown> = () =>
  | StoreContractHarness<TOwnWrites>
  | Promise<StoreContractHarness<TOwnWrites>>

/** One behaviour every store must have, runnable with any test runner: `run` throws when the store breaks it. */
export interface StoreContractCase {
  /** A sentence: what the store does. */
  readonly name: string
  run(harness: StoreContractHarness<unknown>): Promise<void>
}

/** What a case throws when the store under test breaks the behaviour it names. */
export class StoreContractViolation extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreContractViolation'
  }
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new StoreContractViolation(message)
}

/** Compares records as stored values: a Buffer and a Uint8Array with the same bytes are the same result. */
export function sameRecord(actual: IdempotencyRecord | undefined, expected: IdempotencyRecord | undefined) {
  return isDeepStrictEqual(comparable(actual), comparable(expected))
}

export function checkRecord(
  actual: IdempotencyRecord | undefined,
  expected: IdempotencyRecord | undefined,
  what: string,
): void {
  check(
    sameRecord(actual, expected),
    `${what}: expected ${describe(expected)}, the store gave ${describe(actual)}`,
  )
}

function comparable(record: IdempotencyRecord | undefined): unknown {
  if (record?.status !== 'COMPLETED' || record.result.encoding !== 'json+br') return record
  return {
    ...record,
    result: { ...record.result, compressed: Buffer.from(record.result.compressed).toString('hex') },
  }
}

const describe = (record: IdempotencyRecord | undefined) => JSON.stringify(comparable(record)) ?? 'nothing'

/** Times, keys and records for one case, all relative to the harness's clock when the case began. */
export interface CaseContext {
  readonly store: IdempotencyStore<unknown>
  /** Epoch ms when the case began; records are built around it. */
  readonly t0: number
  key(): string
  claim(key: string, overrides?: Partial<InProgressRecord>): InProgressRecord
  done(claim: InProgressRecord, overrides?: Partial<CompletedRecord>): CompletedRecord
  acquire(record: InProgressRecord, nowEpochMs: number): Promise<AcquireResult>
}

/** A lease long enough for any store round trip, short next to retention. */
export const LEASE_MS = 30_000
/** One day, the toolkit's default retention. */
export const RETENTION_SECONDS = 86_400

export function caseContext(harness: StoreContractHarness<unknown>): CaseContext {
  const t0 = harness.now?.() ?? Date.now()
  const t0Seconds = Math.floor(t0 / 1000)
  const { store } = harness
  return {
    store,
    t0,
    key: () => `contract#${randomUUID()}`,
    claim: (key, overrides) => ({
      key,
      fingerprint: 'fingerprint-1',
      token: randomUUID(),
      status: 'IN_PROGRESS',
      leaseUntilEpochMs: t0 + LEASE_MS,
      expiresAtEpochSeconds: t0Seconds + RETENTION_SECONDS,
      ...overrides,
    }),
    done: (claim, overrides) => ({
      key: claim.key,
      fingerprint: claim.fingerprint,
      token: claim.token,
      status: 'COMPLETED',
      result: { encoding: 'json', json: '{"paid":true}' },
      completedAtEpochMs: t0 + 1_000,
      expiresAtEpochSeconds: t0Seconds + RETENTION_SECONDS,
      ...overrides,
    }),
    acquire: (record, nowEpochMs) => store.acquire(record, nowEpochMs),
  }
}

/** Claims `record` at `nowEpochMs` and fails the case unless the store granted it. */
export async function mustClaim(ctx: CaseContext, record: InProgressRecord, nowEpochMs = ctx.t0) {
  const claimed = await ctx.acquire(record, nowEpochMs)
  check(claimed.acquired, `the store refused to claim ${record.key}, which nothing held`)
}

/** Claims `record` and expects a refusal; returns the record the store says refused it. */
export async function mustRefuse(
  ctx: CaseContext,
  record: InProgressRecord,
  nowEpochMs: number,
  why: string,
): Promise<IdempotencyRecord> {
  const claimed = await ctx.acquire(record, nowEpochMs)
  check(!claimed.acquired, `the store granted a claim it must refuse: ${why}`)
  return claimed.existing
}

/** Awaits `work` and returns the error it threw, or undefined. */
export async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work()
    return undefined
  } catch (error) {
    return error
  }
}

export const results: readonly StoredResult[] = [
  { encoding: 'json', json: '{"amount":6000000,"currency":"INR","note":"ünïcødé ✓"}' },
  { encoding: 'json+br', compressed: new Uint8Array([0x8b, 0x00, 0x80, 0xff, 0x01]) },
  { encoding: 'undefined' },
  { encoding: 'not-stored', reason: '512000 bytes of JSON, over the 358400 byte limit' },
]

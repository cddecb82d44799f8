import { checkOptions } from './option-checks.js'
import { DEFAULT_COMPRESS_ABOVE_BYTES, DEFAULT_MAX_STORED_BYTES } from './result-codec.js'
import type { IdempotencyStore } from './store.js'

/** The parts of the Lambda context the toolkit reads; any object with them will do (tests, containers). */
export interface LambdaContextLike {
  readonly functionName?: string
  getRemainingTimeInMillis?(): number
}

export type IdempotencyOutcomeType =
  | 'fresh'
  | 'replay'
  | 'conflict'
  | 'mismatch'
  | 'released'
  | 'lease-lost'
  | 'store-error'
  | 'result-not-stored'
  /** The framework stopped waiting for a handler that may still run; its key stays held until the lease ends. */
  | 'timed-out'

/** What happened to one request. `key` is the scoped, hashed record key: never the raw key or the payload. */
export interface IdempotencyOutcome {
  readonly type: IdempotencyOutcomeType
  readonly key: string
  readonly fromCache?: boolean
  readonly error?: Error
}

export interface IdempotencyLogger {
  warn(message: string, fields: Record<string, unknown>): void
}

export interface IdempotencyOptions<TEvent = unknown, TResult = unknown> {
  readonly store: IdempotencyStore
  /** The client's idempotency key for this event, or undefined when it has none. */
  readonly key: (event: TEvent, context: LambdaContextLike | undefined) => string | undefined
  /** What the fingerprint covers: same key with a different payload is a mismatch. @default the whole event */
  readonly payload?: (event: TEvent, context: LambdaContextLike | undefined) => unknown
  /** Names the operation, so two operations in one function never share keys. @default 'handler' */
  readonly operation?: string
  /** Prefix of every record key. @default `${context.functionName}#${operation}` */
  readonly namespace?: string
  /**
   * How long a completed result is replayed, in whole seconds. A claim is kept at least until its lease ends,
   * however short this is. @default 86400 (24 h, as Stripe)
   */
  readonly ttlSeconds?: number
  /** Lease when there is no Lambda context to bound it; no longer than `ttlSeconds`. @default 60000 */
  readonly leaseMs?: number
  /** 'error' rejects events without a key; 'passthrough' runs them unprotected, with a warning. @default 'error' */
  readonly missingKey?: 'error' | 'passthrough'
  /** Whether a result is final and stored; false releases the key so a retry runs again. @default always */
  readonly shouldStore?: (result: TResult) => boolean
  /** Turns a stored result into the replayed one (headers, markers). @default unchanged */
  readonly replayed?: (result: TResult) => TResult
  /** How long to wait for an in-flight twin before answering conflict. @default 0 (answer at once) */
  readonly waitForInFlightMs?: (event: TEvent, context: LambdaContextLike | undefined) => number
  /** Keep completed records in the warm container, so replays cost no store call. @default off */
  readonly localCache?: { readonly maxEntries: number }
  /** Results whose JSON is larger are brotli-compressed; at most `maxStoredBytes`. @default 4096 */
  readonly compressAboveBytes?: number
  /**
   * Larger results (after compression) are recorded as processed but not stored: replays get
   * `IdempotencyResultNotStoredError`. At most the store's `maxResultBytes`. @default 358400 (350 KB)
   */
  readonly maxStoredBytes?: number
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number
  /** @default JSON lines on console.warn */
  readonly logger?: IdempotencyLogger
  /** Called once per outcome; must not throw. */
  readonly onOutcome?: (outcome: IdempotencyOutcome) => void
}

/** The operation when none is named: one wrapped handler per function needs no name. */
export const DEFAULT_OPERATION = 'handler'
/** 24 h: Stripe's retention, long enough for any client's retry schedule, short enough to bound table size. */
export const DEFAULT_TTL_SECONDS = 24 * 60 * 60
/** 60 s: a generous bound for non-Lambda callers that cannot tell their own deadline. */
export const DEFAULT_LEASE_MS = 60_000
/**
 * Added to the Lambda's remaining time: the runtime kills the invocation at its deadline, so the lease only
 * needs to outlast that plus clock drift between hosts and a completion write already in flight.
 */
export const LEASE_MARGIN_MS = 2_000

/** The default logger, shared by every helper that takes a `logger` option. */
export const jsonLineLogger: IdempotencyLogger = {
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'WARN', message, ...fields })),
}

export type ResolvedOptions<TEvent, TResult> = Required<
  Omit<IdempotencyOptions<TEvent, TResult>, 'namespace' | 'localCache' | 'onOutcome'>
> &
  Pick<IdempotencyOptions<TEvent, TResult>, 'namespace' | 'localCache' | 'onOutcome'>

export function resolveOptions<TEvent, TResult>(
  options: IdempotencyOptions<TEvent, TResult>,
): ResolvedOptions<TEvent, TResult> {
  const resolved: ResolvedOptions<TEvent, TResult> = {
    payload: (event) => event,
    operation: DEFAULT_OPERATION,
    leaseMs: DEFAULT_LEASE_MS,
    missingKey: 'error',
    shouldStore: () => true,
    replayed: (result) => result,
    waitForInFlightMs: () => 0,
    compressAboveBytes: DEFAULT_COMPRESS_ABOVE_BYTES,
    maxStoredBytes: DEFAULT_MAX_STORED_BYTES,
    now: Date.now,
    logger: jsonLineLogger,
    ttlSeconds: DEFAULT_TTL_SECONDS,
    ...definedOnly(options),
  }
  checkOptions(resolved, options.leaseMs)
  return resolved
}

/** Spreading `{ x: undefined }` would erase a default; explicit undefined means "use the default". */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

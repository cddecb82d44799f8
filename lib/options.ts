import { checkOptions } from './option-checks.js'
import { optionNames, renamedOption } from './option-names.js'
import { DEFAULT_COMPRESS_ABOVE_BYTES, DEFAULT_MAX_STORED_BYTES } from './result-codec.js'
import type { IdempotencyStore } from './store/interface.js'

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

/**
 * The one logger interface of the toolkit: Powertools Logger, pino, console and `jsonLinesLogger` fit as they
 * are. Only `warn` is required; `info` and `error` fall back to it.
 */
export interface IdempotencyLogger {
  warn(message: string, fields: Record<string, unknown>): void
  info?(message: string, fields: Record<string, unknown>): void
  error?(message: string, fields: Record<string, unknown>): void
}

/**
 * What every wrapper takes, the HTTP preset, event sources and steps included: where records live, how they are
 * named, how long they last, and who hears about them. Each wrapper's options extend these.
 */
export interface CommonOptions {
  readonly store: IdempotencyStore
  /** Names the operation, so two operations in one function never share keys. @default 'handler' */
  readonly operation?: string
  /**
   * Prefix of every record key. Set it to keep keys (and the ids derived from them with `stableKey`) stable
   * across function renames and redeploys. @default `${context.functionName}#${operation}`
   */
  readonly namespace?: string
  /**
   * How long a completed result is replayed, in whole seconds. A claim is kept at least until its lease ends,
   * however short this is. @default 86400 (24 h, as Stripe)
   */
  readonly ttlSeconds?: number
  /** Lease when there is no Lambda context to bound it; no longer than `ttlSeconds`. @default 60000 */
  readonly leaseMs?: number
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
  /** @default `jsonLinesLogger`: JSON lines on stdout */
  readonly logger?: IdempotencyLogger
  /** Called once per outcome; must not throw. */
  readonly onOutcome?: (outcome: IdempotencyOutcome) => void
}

/** The core options: the common ones, plus how to read a key and a payload from an event, and what to keep. */
export interface IdempotencyOptions<TEvent = unknown, TResult = unknown> extends CommonOptions {
  /** The client's idempotency key for this event, or undefined when it has none. */
  readonly key: (event: TEvent, context: LambdaContextLike | undefined) => string | undefined
  /** What the fingerprint covers: same key with a different payload is a mismatch. @default the whole event */
  readonly payload?: (event: TEvent, context: LambdaContextLike | undefined) => unknown
  /** 'error' rejects events without a key; 'passthrough' runs them unprotected, with a warning. @default 'error' */
  readonly missingKey?: 'error' | 'passthrough'
  /** Whether a result is final and stored; false releases the key so a retry runs again. @default always */
  readonly shouldStore?: (result: TResult) => boolean
  /** Turns a stored result into the replayed one (headers, markers). @default unchanged */
  readonly replayed?: (result: TResult) => TResult
  /**
   * How long to wait for an in-flight twin (the same key, still running) before answering conflict, in
   * milliseconds: a number, or a function of the event. @default 0 (answer at once)
   */
  readonly maxWaitMs?: number | ((event: TEvent, context: LambdaContextLike | undefined) => number)
  /** @deprecated Use `maxWaitMs`, which means the same; this name goes in the next major version. */
  readonly waitForInFlightMs?: (event: TEvent, context: LambdaContextLike | undefined) => number
}

export const COMMON_OPTION_NAMES = [
  'store',
  'operation',
  'namespace',
  'ttlSeconds',
  'leaseMs',
  'localCache',
  'compressAboveBytes',
  'maxStoredBytes',
  'now',
  'logger',
  'onOutcome',
] as const satisfies readonly (keyof CommonOptions)[]
/** Fails to compile when a common option is added to the interface but not to the list above. */
const everyCommonOptionListed: Record<
  Exclude<keyof CommonOptions, (typeof COMMON_OPTION_NAMES)[number]>,
  never
> = {}
void everyCommonOptionListed

/** Every option `makeIdempotent` and the `idempotency` middleware take. */
export const IDEMPOTENCY_OPTION_NAMES = optionNames<IdempotencyOptions>()([
  ...COMMON_OPTION_NAMES,
  'key',
  'payload',
  'missingKey',
  'shouldStore',
  'replayed',
  'maxWaitMs',
  'waitForInFlightMs',
])

/** The common options out of a wrapper's own, to hand to the engine untouched (its other options stay out). */
export function commonOptionsOf(options: CommonOptions): CommonOptions {
  const common: Record<string, unknown> = {}
  for (const name of COMMON_OPTION_NAMES) common[name] = options[name]
  return common as unknown as CommonOptions
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

/**
 * The one default logger: a JSON object per line on stdout, written past Lambda's console patching (as
 * Powertools Logger does), so with either Lambda log format CloudWatch Logs Insights queries the fields
 * directly. No timestamp: every CloudWatch log event carries its own.
 */
export const jsonLinesLogger: Required<IdempotencyLogger> = {
  info: (message, fields) => writeLine('INFO', message, fields),
  warn: (message, fields) => writeLine('WARN', message, fields),
  error: (message, fields) => writeLine('ERROR', message, fields),
}

function writeLine(level: string, message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`)
}

export type ResolvedOptions<TEvent, TResult> = Required<
  Omit<
    IdempotencyOptions<TEvent, TResult>,
    'namespace' | 'localCache' | 'onOutcome' | 'maxWaitMs' | 'waitForInFlightMs'
  >
> &
  Pick<IdempotencyOptions<TEvent, TResult>, 'namespace' | 'localCache' | 'onOutcome'> & {
    /** `maxWaitMs` as a function, whichever form (or deprecated name) it was given in. */
    readonly maxWaitMs: (event: TEvent, context: LambdaContextLike | undefined) => number
  }

export function resolveOptions<TEvent, TResult>(
  options: IdempotencyOptions<TEvent, TResult>,
): ResolvedOptions<TEvent, TResult> {
  const { maxWaitMs, waitForInFlightMs, ...given } = definedOnly(options)
  const logger = given.logger ?? jsonLinesLogger
  const names = { current: 'maxWaitMs', deprecated: 'waitForInFlightMs' }
  const wait = renamedOption(maxWaitMs, waitForInFlightMs, names, logger) ?? 0
  const resolved: ResolvedOptions<TEvent, TResult> = {
    payload: (event) => event,
    operation: DEFAULT_OPERATION,
    leaseMs: DEFAULT_LEASE_MS,
    missingKey: 'error',
    shouldStore: () => true,
    replayed: (result) => result,
    compressAboveBytes: DEFAULT_COMPRESS_ABOVE_BYTES,
    maxStoredBytes: DEFAULT_MAX_STORED_BYTES,
    now: Date.now,
    ttlSeconds: DEFAULT_TTL_SECONDS,
    ...given,
    logger,
    maxWaitMs: typeof wait === 'function' ? wait : () => wait,
  }
  checkOptions(resolved, options.leaseMs)
  return resolved
}

/** Spreading `{ x: undefined }` would erase a default; explicit undefined means "use the default". */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

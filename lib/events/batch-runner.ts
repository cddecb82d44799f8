import { optionNames } from '../option-names.js'
import type { IdempotencyLogger, LambdaContextLike } from '../options.js'

/**
 * What happened to one record. Only the first three count as done: everything else is reported back to the
 * event source for redelivery (or, for sources without partial responses, fails the invocation).
 * - `duplicate`: already completed by an earlier delivery; skipped.
 * - `stale`: version-aware mode, a version no newer than the one already processed; skipped.
 * - `in-flight`: another invocation holds the record's lease right now.
 * - `mismatch`: the key was first used with a different payload (a producer reusing keys).
 * - `no-key`: no key could be derived, and running it unprotected was not allowed.
 * - `skipped`: an earlier record of its lane (ordering group or same key) was not done, so it did not run.
 */
export type RecordOutcomeKind =
  | 'processed'
  | 'duplicate'
  | 'stale'
  | 'in-flight'
  | 'mismatch'
  | 'no-key'
  | 'failed'
  | 'skipped'

export interface RecordOutcome<TRecord> {
  readonly record: TRecord
  readonly kind: RecordOutcomeKind
  readonly error?: unknown
}

const DONE: ReadonlySet<RecordOutcomeKind> = new Set(['processed', 'duplicate', 'stale'])

export const isDone = (outcome: { readonly kind: RecordOutcomeKind }): boolean => DONE.has(outcome.kind)

/** Processes one record. Its context is the invocation's, one object per record (see `runBatch`). */
export type RecordHandler<TRecord, TResult, TContext> = (
  record: TRecord,
  context: TContext,
) => Promise<TResult>

export type Settled = { readonly kind: RecordOutcomeKind; readonly error?: unknown }

/** The per-record protocol: idempotency keys (`idempotencyGuard`) or entity versions (`versionGuard`). */
export interface RecordGuard<TRecord, TResult, TKnown> {
  /** The stored key of a record, undefined to run it unguarded; throws when it has none and must have one. */
  keyOf(record: TRecord, context: LambdaContextLike | undefined): string | undefined
  /** Reads many keys in one round trip (BatchGetItem), so done records cost no write; absent keys left out. */
  readMany?(keys: readonly string[]): Promise<ReadonlyMap<string, TKnown>>
  /** Runs one record under the guard; `known` is what `readMany` found, when it ran. */
  run<TContext extends LambdaContextLike>(
    record: TRecord,
    context: TContext,
    handler: RecordHandler<TRecord, TResult, TContext>,
    known: { readonly value: TKnown | undefined } | undefined,
  ): Promise<Settled>
}

export interface BatchRunOptions<TRecord> {
  /**
   * Lanes processed at once. Records of one lane (an ordering group, or records sharing a key) always run one
   * after the other. @default 10: enough to hide store latency, few enough for most downstreams.
   */
  readonly concurrency?: number
  /** Called once per record with its outcome; must not throw. */
  readonly onRecord?: (outcome: RecordOutcome<TRecord>) => void
  /** @default JSON lines on console.warn */
  readonly logger?: IdempotencyLogger
}

/** The options every batch handler takes besides its guard's. */
export const BATCH_RUN_OPTION_NAMES = optionNames<BatchRunOptions<unknown>>()([
  'concurrency',
  'onRecord',
  'logger',
])

/** 10: a full standard SQS batch at once, without flooding a downstream on a batching window of thousands. */
const DEFAULT_CONCURRENCY = 10

/**
 * Runs a batch: one read for every key (when the guard reads), then each lane in order. Once a record of a lane
 * is not done, the rest of that lane is `skipped`: a FIFO group or a stream's item never runs out of order, and
 * a second copy of a failed record waits for its redelivery instead of retrying at once.
 */
export async function runBatch<TRecord, TResult, TKnown, TContext extends LambdaContextLike>(
  records: readonly TRecord[],
  context: TContext | undefined,
  guard: RecordGuard<TRecord, TResult, TKnown>,
  handler: RecordHandler<TRecord, TResult, TContext>,
  group: (record: TRecord) => string | undefined,
  options: BatchRunOptions<TRecord>,
): Promise<RecordOutcome<TRecord>[]> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`)
  const keys = records.map((record) => {
    try {
      return { key: guard.keyOf(record, context) }
    } catch (error) {
      return { error }
    }
  })
  const present = keys.flatMap(({ key }) => (key === undefined ? [] : [key]))
  const found = guard.readMany && present.length > 0 ? await guard.readMany(present) : undefined

  const lanes = new Map<string, number[]>()
  records.forEach((record, index) => {
    const orderGroup = group(record)
    const { key } = keys[index] ?? {}
    const lane = orderGroup !== undefined ? `group:${orderGroup}` : `key:${key ?? index}`
    lanes.set(lane, [...(lanes.get(lane) ?? []), index])
  })

  const outcomes: RecordOutcome<TRecord>[] = []
  async function runLane(indices: readonly number[]) {
    let blocked = false
    for (const index of indices) {
      const record = records[index] as TRecord
      const { key, error } = keys[index] ?? {}
      let settled: Settled
      if (blocked) settled = { kind: 'skipped' }
      else if (error !== undefined) settled = { kind: 'no-key', error }
      else {
        // One context object per record: `idempotencyOf(context)` then names this record's own hold.
        const recordContext = Object.create(context ?? null) as TContext
        const known = found && key !== undefined ? { value: found.get(key) } : undefined
        settled = await guard.run(record, recordContext, handler, known)
      }
      outcomes[index] = { record, ...settled }
      blocked ||= !isDone(settled)
    }
  }

  const queue = [...lanes.values()]
  const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) await runLane(lane)
  })
  await Promise.all(workers)
  return outcomes
}

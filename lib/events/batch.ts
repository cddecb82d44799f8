import { refuseUnknownOptions } from '../option-names.js'
import { jsonLinesLogger, type LambdaContextLike } from '../options.js'
import {
  BATCH_RUN_OPTION_NAMES,
  type BatchRunOptions,
  isDone,
  type RecordGuard,
  type RecordHandler,
  type RecordOutcome,
  runBatch,
} from './batch-runner.js'
import { type IdempotentRecordOptions, idempotencyGuard, RECORD_OPTION_NAMES } from './idempotent-records.js'
import type { BatchSource } from './sources.js'
import { VERSIONED_OPTION_NAMES, type VersionedOptions, versionGuard } from './versioned.js'

export type IdempotentBatchOptions<TRecord, TResult> = IdempotentRecordOptions<TRecord, TResult> &
  BatchRunOptions<TRecord>

export type VersionedBatchOptions<TRecord> = VersionedOptions<TRecord> & BatchRunOptions<TRecord>

/**
 * A Lambda handler for a batch event source that runs `handler` once per record, idempotently: records done by
 * an earlier delivery are skipped, and the response names only the records that failed, are held by another
 * invocation, or wait behind one of those in their ordering group. One bad record never re-runs the good ones.
 *
 * Store calls for a batch of N records (keys read in one BatchGetItem per 100):
 * all new: 1 read + N claims + N completions; all done before: 1 read, no write; a handler error: its claim and
 * release. `prefetch: false` drops the read and pays a refused conditional write per duplicate instead.
 *
 * The record handler gets its own context object per record (the invocation's context is its prototype), so
 * `idempotencyOf(context)` gives that record's `stableKey` and `addToCompletion`.
 *
 * @example
 * ```ts
 * export const handler = makeIdempotentBatchHandler(
 *   sqsBatch,
 *   async (record) => fulfil(JSON.parse(record.body)),
 *   { store: new DynamoDBStore(), namespace: 'orders#fulfil' },
 * )
 * ```
 */
export function makeIdempotentBatchHandler<
  TEvent,
  TRecord,
  TResponse,
  TResult,
  TContext extends LambdaContextLike,
>(
  source: BatchSource<TEvent, TRecord, TResponse>,
  handler: RecordHandler<TRecord, TResult, TContext>,
  options: IdempotentBatchOptions<TRecord, TResult>,
): (event: TEvent, context: TContext) => Promise<TResponse> {
  refuseUnknownOptions(
    options,
    [...RECORD_OPTION_NAMES, ...BATCH_RUN_OPTION_NAMES],
    'makeIdempotentBatchHandler',
  )
  return batchHandler(source, idempotencyGuard(options, source), handler, options)
}

/**
 * The same for events that carry an entity id and a monotonic version (see `makeVersioned`): a record runs only
 * when its version is newer than the entity's last processed one; same or older is `stale` and skipped. Records
 * of one entity in the batch run in order.
 */
export function makeVersionedBatchHandler<
  TEvent,
  TRecord,
  TResponse,
  TResult,
  TContext extends LambdaContextLike,
>(
  source: BatchSource<TEvent, TRecord, TResponse>,
  handler: RecordHandler<TRecord, TResult, TContext>,
  options: VersionedBatchOptions<TRecord>,
): (event: TEvent, context: TContext) => Promise<TResponse> {
  refuseUnknownOptions(
    options,
    [...VERSIONED_OPTION_NAMES, ...BATCH_RUN_OPTION_NAMES],
    'makeVersionedBatchHandler',
  )
  return batchHandler(source, versionGuard<TRecord, TResult>(options), handler, options)
}

/** The Lambda handler for a batch: runs the records under `guard`, reports each outcome, answers per `source`. */
export function batchHandler<TEvent, TRecord, TResponse, TResult, TKnown, TContext extends LambdaContextLike>(
  source: BatchSource<TEvent, TRecord, TResponse>,
  guard: RecordGuard<TRecord, TResult, TKnown>,
  handler: RecordHandler<TRecord, TResult, TContext>,
  options: BatchRunOptions<TRecord>,
): (event: TEvent, context: TContext) => Promise<TResponse> {
  const logger = options.logger ?? jsonLinesLogger
  return async function idempotentBatch(event, context) {
    const group = (record: TRecord) => source.group(record)
    const outcomes = await runBatch(source.records(event), context, guard, handler, group, options)
    const notDone = outcomes.filter((outcome) => !isDone(outcome))
    outcomes.forEach((outcome, index) => {
      report(options, outcome)
      // Positions, never identifiers: a record's id is often its raw key (an S3 object key, a message id).
      if (!isDone(outcome))
        logger.warn(`${source.name} record not done; left for redelivery`, {
          position: index,
          outcome: outcome.kind,
          error: describe(outcome.error),
        })
    })
    return source.respond(notDone)
  }
}

function report<TRecord>(options: BatchRunOptions<TRecord>, outcome: RecordOutcome<TRecord>) {
  try {
    options.onRecord?.(outcome)
  } catch {
    // A metrics hook must never change which records are reported done.
  }
}

function describe(error: unknown): string | undefined {
  if (error === undefined) return undefined
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

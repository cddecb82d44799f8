import { createIdempotencyEngine } from '../engine.js'
import { isIdempotencyError } from '../errors.js'
import { optionNames } from '../option-names.js'
import { COMMON_OPTION_NAMES, type IdempotencyOptions } from '../options.js'
import type { IdempotencyRecord } from '../record.js'
import type { RecordGuard, RecordOutcomeKind } from './batch-runner.js'

/** The core options, per record instead of per event; key and payload default to the event source's. */
export interface IdempotentRecordOptions<TRecord, TResult>
  extends Omit<
    IdempotencyOptions<TRecord, TResult>,
    'key' | 'payload' | 'maxWaitMs' | 'waitForInFlightMs' | 'replayed' | 'localCache'
  > {
  /** The record's idempotency key. @default the source's (SQS: messageId; Kinesis: stream+shard+sequence number) */
  readonly key?: (record: TRecord) => string | undefined
  /** What the fingerprint covers. @default the source's (SQS: the body; Kinesis: the data; Kafka: key and value) */
  readonly payload?: (record: TRecord) => unknown
  /**
   * Read every key of the batch in one BatchGetItem before claiming any. Completed duplicates then cost no
   * write: without it each duplicate costs a refused conditional PutItem (a write unit, about five times the
   * price of the read unit the read costs). Turn it off when duplicates are rare and every read is wasted.
   * @default true
   */
  readonly prefetch?: boolean
}

/** Every option of `IdempotentRecordOptions`. */
export const RECORD_OPTION_NAMES = optionNames<IdempotentRecordOptions<unknown, unknown>>()([
  ...COMMON_OPTION_NAMES.filter((name): name is Exclude<typeof name, 'localCache'> => name !== 'localCache'),
  'missingKey',
  'shouldStore',
  'key',
  'payload',
  'prefetch',
])

/**
 * Records keyed by idempotency key, through the same engine as handlers: claim, run, store the result (so a
 * later batch's duplicate is skipped), release on failure. A record already done, or held by a live lease,
 * in the batch's read is answered from that read with no store call.
 */
export function idempotencyGuard<TRecord, TResult>(
  options: IdempotentRecordOptions<TRecord, TResult>,
  defaults: { key(record: TRecord): string | undefined; payload(record: TRecord): unknown },
): RecordGuard<TRecord, TResult, IdempotencyRecord> {
  const engine = createIdempotencyEngine<TRecord, TResult>({
    ...options,
    operation: options.operation ?? 'records',
    key: options.key ?? defaults.key,
    payload: options.payload ?? defaults.payload,
  })
  return {
    keyOf: (record, context) => engine.identify(record, context)?.key,
    readMany: options.prefetch === false ? undefined : (keys) => options.store.getMany(keys),
    async run(record, context, handler, known) {
      try {
        const ran = await engine.run(record, context, handler, known && { record: known.value })
        return { kind: ran.kind === 'replay' ? 'duplicate' : 'processed' }
      } catch (error) {
        return { kind: outcomeOf(error), error }
      }
    },
  }
}

/** What a record's error makes of it: a refusal of its claim, or a failure (the handler's, or its completion's). */
function outcomeOf(error: unknown): RecordOutcomeKind {
  if (isIdempotencyError(error, 'in-progress')) return 'in-flight'
  if (isIdempotencyError(error, 'payload-mismatch')) return 'mismatch'
  // It ran before and only its result could not be stored; a batch needs no result, only "done".
  if (isIdempotencyError(error, 'result-not-stored')) return 'duplicate'
  return 'failed'
}

import { IdempotencyKeyMissingError, isIdempotencyError } from '../errors.js'
import { batchHandler } from '../events/batch.js'
import { BATCH_RUN_OPTION_NAMES, type BatchRunOptions, type RecordGuard } from '../events/batch-runner.js'
import type { BatchSource } from '../events/sources.js'
import { optionNames, refuseUnknownOptions } from '../option-names.js'
import type { LambdaContextLike } from '../options.js'
import type { DurableExecutions, ExecutionStart } from './executions.js'
import { executionNameFor, scopedRecordKey } from './names.js'
import type { DurableEnvelope } from './types.js'

export interface DurableDispatcherOptions<TRecord, TInput = unknown> extends BatchRunOptions<TRecord> {
  /** The durable function the records' work runs on. */
  readonly executions: DurableExecutions
  /** The record's idempotency key. @default the source's (SQS: messageId; Kinesis: stream, shard, sequence number) */
  readonly key?: (record: TRecord) => string | undefined
  /**
   * The execution's input: the same on every delivery of the record (no receive counts, receipt handles or
   * arrival times), since Lambda compares a repeated name's input byte for byte.
   * @default the source's fingerprint input (SQS: the body; Kinesis: the data; Kafka: key and value)
   */
  readonly input?: (record: TRecord) => TInput
  /**
   * Prefix of the keys the execution names derive from. Set it (`'payouts#dispatch'`): names must stay the same
   * across renames and redeploys, or a redelivery after one starts a second execution.
   * @default `${context.functionName}#${operation}`
   */
  readonly namespace?: string
  /** @default 'dispatch' */
  readonly operation?: string
}

const DISPATCHER_OPTION_NAMES = optionNames<DurableDispatcherOptions<unknown>>()([
  ...BATCH_RUN_OPTION_NAMES,
  'executions',
  'key',
  'input',
  'namespace',
  'operation',
])

/**
 * A Lambda handler for an event source (SQS, Kinesis, DynamoDB Streams, Kafka) that starts one durable execution
 * per record, as AWS recommends instead of mapping the source to the durable function (which starts a new
 * execution for every delivery). The execution's name is derived from the record's scoped, hashed key, so
 * every delivery of a record names one execution: a redelivery finds it running, or finished, and is done. The
 * input is a `DurableEnvelope` (`{ idempotencyKey: name, input }`), which the durable wrapper keys on by default.
 *
 * Outcomes per record: `processed` (started), `duplicate` (found it, running or closed: its failure is the
 * durable function's to report, not the source's to redeliver), `mismatch` (the name was started with another
 * input: `DurableExecutionConflictError`), `no-key`, `failed` (Lambda refused the start: redelivered), and
 * `skipped` (behind a record not done in its ordering group). The response is the source's own: partial batch
 * failures for SQS, Kinesis and DynamoDB Streams; a failed invocation for Kafka.
 *
 * @example
 * ```ts
 * export const handler = makeDurableDispatcher(sqsBatch, {
 *   executions: new LambdaDurableExecutions({ functionName: 'payouts:live' }),
 *   namespace: 'payouts#dispatch',
 *   key: sqsBodyKey('payoutId'),
 * })
 * ```
 */
export function makeDurableDispatcher<TEvent, TRecord, TResponse, TInput = unknown>(
  source: BatchSource<TEvent, TRecord, TResponse>,
  options: DurableDispatcherOptions<TRecord, TInput>,
): (event: TEvent, context: LambdaContextLike) => Promise<TResponse> {
  refuseUnknownOptions(options, DISPATCHER_OPTION_NAMES, 'makeDurableDispatcher')
  const { executions } = options
  const keyOf = options.key ?? ((record: TRecord) => source.key(record))
  const inputOf = options.input ?? ((record: TRecord) => source.payload(record) as TInput)
  const operation = options.operation ?? 'dispatch'

  function nameOf(record: TRecord, context: LambdaContextLike | undefined): string {
    const rawKey = keyOf(record)
    if (rawKey === undefined || rawKey === '') throw new IdempotencyKeyMissingError()
    const namespace = options.namespace ?? `${context?.functionName ?? 'local'}#${operation}`
    return executionNameFor(scopedRecordKey(namespace, rawKey))
  }

  // Lanes by name: copies of one record in a batch start one after the other, so the second finds the first.
  const guard: RecordGuard<TRecord, ExecutionStart, never> = {
    keyOf: nameOf,
    async run(record, context, start) {
      try {
        const started = await start(record, context)
        return { kind: started.status === 'started' ? 'processed' : 'duplicate' }
      } catch (error) {
        return { kind: isIdempotencyError(error, 'payload-mismatch') ? 'mismatch' : 'failed', error }
      }
    },
  }

  async function start(record: TRecord, context: LambdaContextLike): Promise<ExecutionStart> {
    const name = nameOf(record, context)
    const envelope: DurableEnvelope<TInput> = { idempotencyKey: name, input: inputOf(record) }
    return executions.start(name, envelope)
  }

  return batchHandler(source, guard, start, options)
}

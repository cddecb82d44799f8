import type { DurableExecutionConfig, DurableLambdaHandler } from '@aws/durable-execution-sdk-js'
import { backOff } from '../backoff.js'
import { createIdempotencyEngine } from '../engine.js'
import { isIdempotencyError } from '../errors.js'
import { attachHandle, type HeldClaim, type Invocation } from '../invocation.js'
import { optionNames, refuseUnknownOptions } from '../option-names.js'
import { COMMON_OPTION_NAMES, type IdempotencyOptions, jsonLinesLogger, LEASE_MARGIN_MS } from '../options.js'
import { completedBy } from '../record.js'
import { decodeResult } from '../result-codec.js'
import type { IdempotencyStore } from '../store/interface.js'
import { claimStep, envelopeKey, refusal } from './durable-claim.js'
import {
  checkExecutionTimeout,
  OwnWritesSpentError,
  SETTLEMENT_STEP,
  STORE_RETRIES,
} from './durable-terms.js'
import {
  currentInvocation,
  type InvocationState,
  operationAwareContext,
  ownWritesCheck,
  runInvocation,
} from './invocation-scope.js'
import type { DurableContextLike } from './types.js'

export interface DurableIdempotencyOptions<TEvent, TResult>
  extends Omit<
    IdempotencyOptions<TEvent, TResult>,
    'key' | 'payload' | 'leaseMs' | 'maxWaitMs' | 'waitForInFlightMs'
  > {
  /**
   * The durable function's execution timeout in seconds (CDK `durableConfig.executionTimeout`), or more: the
   * claim holds this long, since an execution may run that long. 1 to 31,622,400 (366 days).
   */
  readonly executionTimeoutSeconds: number
  /** The idempotency key. @default the `idempotencyKey` of a `DurableEnvelope` (what the dispatcher and 202 route send) */
  readonly key?: (event: TEvent) => string | undefined
  /** What the fingerprint covers; the same key with another payload is a mismatch. @default the whole event */
  readonly payload?: (event: TEvent) => unknown
  /** What `withDurableExecution` is given besides the handler (a Lambda client, plugins, logging). */
  readonly durableExecution?: DurableExecutionConfig
}

const DURABLE_OPTION_NAMES = optionNames<DurableIdempotencyOptions<unknown, unknown>>()([
  // No leaseMs: an execution's claim holds for its whole timeout (executionTimeoutSeconds).
  ...COMMON_OPTION_NAMES.filter((name): name is Exclude<typeof name, 'leaseMs'> => name !== 'leaseMs'),
  'missingKey',
  'shouldStore',
  'replayed',
  'executionTimeoutSeconds',
  'key',
  'payload',
  'durableExecution',
])

/** Step names of the toolkit's own checkpoints, apart from any name a handler gives its steps. */
export const CLAIM_STEP = 'lambda-idempotency:claim'
export const COMPLETE_STEP = 'lambda-idempotency:complete'
export const RELEASE_STEP = 'lambda-idempotency:release'

/**
 * A durable function whose executions hold one idempotency key each: pass your durable handler (what you would
 * give `withDurableExecution`), and export what this returns as the Lambda handler, as is (it calls
 * `withDurableExecution` itself).
 *
 * The first invocation claims the key in a durable step; the claim's fencing token is derived from the
 * execution's ARN, so the execution holds it on every replay, for up to `executionTimeoutSeconds`. The result
 * is stored in a step when the handler returns. Another execution with the key gets what any duplicate gets:
 * the stored result (no step runs), or a failed execution with `IdempotencyInProgressError` or
 * `IdempotencyPayloadMismatchError`. An execution that fails gives the key back within its failing invocation,
 * whether the handler threw or the SDK failed it (a non-deterministic replay, a refused checkpoint), so a later
 * execution runs again; its side effects keyed by `idempotencyOf(context).stableKey(purpose)` are not repeated.
 *
 * Own writes (`addToCompletion`, `postgresTransactionOf(context)`) are made in the handler's own code, outside
 * steps: every invocation makes them again, each invocation's end discards or rolls back what it made, and the
 * one that completes commits them with the result, exactly once. Inside a step, a child context or a branch they
 * throw `IdempotencyOwnWritesInStepError`.
 *
 * @example
 * ```ts
 * export const handler = makeDurableIdempotent(
 *   async (event: DurableEnvelope<{ amount: number }>, context: DurableContext) => {
 *     const transfer = await context.step('pay', () => bank.pay(idempotencyOf(context)?.stableKey('pay')))
 *     return { transferId: transfer.id }
 *   },
 *   { store: new DynamoDBStore(), executionTimeoutSeconds: 86_400 },
 * )
 * ```
 */
export function makeDurableIdempotent<TEvent, TResult, TContext extends DurableContextLike>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
  options: DurableIdempotencyOptions<TEvent, TResult>,
): DurableLambdaHandler {
  refuseUnknownOptions(options, DURABLE_OPTION_NAMES, 'makeDurableIdempotent')
  checkExecutionTimeout(options.executionTimeoutSeconds)
  const { key, payload, executionTimeoutSeconds, durableExecution, ...rest } = options
  const engine = createIdempotencyEngine<TEvent, TResult>({
    ...rest,
    key: key ?? envelopeKey,
    payload: payload ?? ((event) => event),
  })
  const leaseMs = executionTimeoutSeconds * 1000 + LEASE_MARGIN_MS
  const logger = options.logger ?? jsonLinesLogger
  const { store } = options
  const claim = claimStep(engine, leaseMs)

  /**
   * Completes or releases on a fresh copy of the held invocation: a store failure marks the copy as done with,
   * and the step's next attempt must still hold the key. Writes the handler added carry over, unless a failed
   * completion attempt in this invocation took them with it: then only a new invocation can make them again.
   */
  async function settle(
    held: Invocation,
    write: (attempt: Invocation) => Promise<void>,
    context: DurableContextLike,
  ): Promise<null> {
    const invocation = currentInvocation()
    if (invocation.ownWritesSpent)
      throw new OwnWritesSpentError(context.lambdaContext?.getRemainingTimeInMillis?.())
    const attempt: Invocation = { ...held, state: 'held' }
    try {
      await write(attempt)
    } catch (error) {
      // Writes held in a transaction end with a failed attempt; collected writes can be sent again.
      if (held.ownWrites !== undefined && store.discardOwnWrites !== undefined)
        invocation.ownWritesSpent = true
      throw error
    }
    held.state = attempt.state
    return null
  }

  /** The durable handler the SDK runs, once per invocation of an execution. */
  async function durableIdempotentHandler(event: TEvent, context: TContext): Promise<TResult> {
    const invocation = currentInvocation()
    const handlerContext = operationAwareContext(context)
    const claimed = await context.step(CLAIM_STEP, () => claim(event, context), STORE_RETRIES)
    if (claimed.kind === 'unprotected') return handler(event, handlerContext)
    if (claimed.kind === 'replay') return claimed.result
    if (claimed.kind === 'refused') throw refusal(claimed)
    invocation.claim = claimed.claim
    const held = attachHandle(
      handlerContext,
      claimed.claim,
      ownWritesOpener(store, claimed.claim, invocation),
    )
    invocation.held = held
    let result: TResult
    try {
      result = await handler(event, handlerContext)
    } catch (error) {
      // A replay after the completion landed (its checkpoint lost) may fail on what it committed: its result.
      const completed = await completedResult(held)
      if (completed !== undefined) return completed.result
      await releaseAfter(error)
      throw error
    }
    await context.step(
      COMPLETE_STEP,
      () => settle(held, (attempt) => engine.complete(attempt, result), context),
      SETTLEMENT_STEP,
    )
    return result

    async function releaseAfter(handlerError: unknown): Promise<void> {
      try {
        await context.step(
          RELEASE_STEP,
          () => settle(held, (attempt) => engine.release(attempt), context),
          SETTLEMENT_STEP,
        )
      } catch (error) {
        // The handler's error is the execution's; the key stays held until its lease ends.
        logger.warn('Could not release the key of a failed durable execution', {
          key: held.key,
          error: String(error),
          handlerError: String(handlerError),
        })
      }
    }
  }

  /** The stored result when this execution's token already completed the record; undefined otherwise. */
  async function completedResult(held: HeldClaim): Promise<{ result: TResult } | undefined> {
    const record = await store.get(held.key).catch(() => undefined)
    if (!completedBy(record, held.token)) return undefined
    return { result: decodeResult(record.result) as TResult }
  }

  /**
   * The end of an invocation, whatever ended it: nothing more may be written through it, the own writes it made
   * are discarded (a PostgreSQL transaction rolled back) unless its completion committed them, and an execution
   * the SDK answered FAILED gives its key back. That release is fenced by the claim's state: a record its
   * completion stored stays completed. Any other failure is released too, even after the handler returned
   * (a completion the store never took): its steps' effects are keyed by `stableKey`, and its own writes were
   * never committed, so the next execution runs it again once.
   */
  async function endInvocation(state: InvocationState, status: string | undefined): Promise<void> {
    state.ended = true
    const { held } = state
    if (held?.state === 'held') held.state = 'abandoned'
    if (held?.ownWrites !== undefined) await store.discardOwnWrites?.(held.ownWrites).catch(() => undefined)
    if (status !== FAILED || state.claim === undefined) return
    const claim = state.claim
    for (let attempt = 1; ; attempt++) {
      try {
        return await engine.release(attachHandle(undefined, claim))
      } catch (error) {
        // This invocation is the only one that will ever release it: try a few times through a brief outage.
        const outage = isIdempotencyError(error) && error.code === 'store-unavailable'
        if (!outage || attempt === FAILED_RELEASE_ATTEMPTS) {
          logger.warn('Could not release the key of a durable execution the SDK failed', {
            key: claim.key,
            error: String(error),
          })
          return
        }
        await backOff(FAILED_RELEASE_FIRST_DELAY_MS, attempt)
      }
    }
  }

  let sdkHandler: Promise<DurableLambdaHandler> | undefined
  return async function durableIdempotentLambdaHandler(event, lambdaContext) {
    refuseDurableContext(lambdaContext)
    sdkHandler ??= import('@aws/durable-execution-sdk-js').then((sdk) =>
      sdk.withDurableExecution(
        durableIdempotentHandler as unknown as Parameters<typeof sdk.withDurableExecution>[0],
        durableExecution,
      ),
    )
    const run = await sdkHandler
    const state: InvocationState = { ended: false }
    let status: string | undefined
    try {
      const output = await runInvocation(state, () => run(event, lambdaContext))
      status = output.Status
      return output
    } finally {
      await endInvocation(state, status)
    }
  }
}

/** The invocation output status of an execution the SDK failed (`InvocationStatus.FAILED`). */
const FAILED = 'FAILED'
/**
 * Releasing a failed execution's key: 4 tries, 0.2 + 0.4 + 0.8 s apart, rides out a dropped connection or a
 * throttled write in well under the seconds an invocation that has just failed has left.
 */
const FAILED_RELEASE_ATTEMPTS = 4
const FAILED_RELEASE_FIRST_DELAY_MS = 200

/** What this returns is the Lambda handler: given to `withDurableExecution`, it would get a DurableContext. */
function refuseDurableContext(context: object | undefined): void {
  const durable = context as Partial<DurableContextLike> | undefined
  if (typeof durable?.step === 'function' && durable.executionContext !== undefined)
    throw new TypeError(
      'makeDurableIdempotent returns the Lambda handler and calls withDurableExecution itself: export it as is, without withDurableExecution around it.',
    )
}

/**
 * The store's own writes for the handler, opened on first use as the engine does for a claim it makes, and
 * refused inside durable operations.
 */
function ownWritesOpener(
  store: IdempotencyStore,
  claim: HeldClaim,
  invocation: InvocationState,
): (() => unknown) | undefined {
  if (store.openOwnWrites === undefined) return undefined
  const { key, token } = claim
  return () => store.openOwnWrites?.({ key, token, assertWritable: ownWritesCheck(invocation) })
}

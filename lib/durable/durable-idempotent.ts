import { createIdempotencyEngine } from '../engine.js'
import {
  IdempotencyError,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyPayloadMismatchError,
  IdempotencyResultNotStoredError,
} from '../errors.js'
import { attachHandle, type HeldClaim, type Invocation } from '../invocation.js'
import { type IdempotencyOptions, jsonLinesLogger, LEASE_MARGIN_MS } from '../options.js'
import { checkExecutionTimeout, claimTermsFor, STORE_RETRIES } from './durable-terms.js'
import type { DurableContextLike, DurableEnvelope } from './types.js'

export interface DurableIdempotencyOptions<TEvent, TResult>
  extends Omit<IdempotencyOptions<TEvent, TResult>, 'key' | 'payload' | 'leaseMs' | 'waitForInFlightMs'> {
  /**
   * The durable function's execution timeout in seconds (CDK `durableConfig.executionTimeout`), or more: the
   * claim holds this long, since an execution may run that long. 1 to 31,622,400 (366 days).
   */
  readonly executionTimeoutSeconds: number
  /** The idempotency key. @default the `idempotencyKey` of a `DurableEnvelope` (what the dispatcher and 202 route send) */
  readonly key?: (event: TEvent) => string | undefined
  /** What the fingerprint covers; the same key with another payload is a mismatch. @default the whole event */
  readonly payload?: (event: TEvent) => unknown
}

/** Step names of the toolkit's own checkpoints, apart from any name a handler gives its steps. */
export const CLAIM_STEP = 'lambda-idempotency:claim'
export const COMPLETE_STEP = 'lambda-idempotency:complete'
export const RELEASE_STEP = 'lambda-idempotency:release'

/**
 * What the claim step checkpoints. Replays read it back, so the store is called once per execution to claim and
 * once to complete, however many invocations the execution takes. Refusals are values, not thrown errors: the
 * step succeeds with them, and every replay throws the same error.
 */
type Claim<TResult> =
  | { readonly kind: 'held'; readonly claim: HeldClaim }
  | { readonly kind: 'replay'; readonly result: TResult }
  | { readonly kind: 'unprotected' }
  | {
      readonly kind: 'refused'
      readonly code: string
      readonly message: string
      readonly retryAfterSeconds?: number
    }

/** What a duplicate gets whatever its retries: these are answers, not faults to retry. */
const REFUSALS: ReadonlySet<string> = new Set([
  'in-progress',
  'payload-mismatch',
  'key-missing',
  'result-not-stored',
])

const envelopeKey = (event: unknown): string | undefined => {
  const key = (event as Partial<DurableEnvelope> | null | undefined)?.idempotencyKey
  return typeof key === 'string' ? key : undefined
}

/**
 * Wraps a durable execution handler (the function you pass to `withDurableExecution`) so that one idempotency
 * key means one execution's effects. The first invocation claims the key in a durable step; the claim's fencing
 * token is derived from the execution's ARN, so the execution holds it on every replay (a re-run of the claim
 * step finds its own claim, never a conflict with itself), for up to `executionTimeoutSeconds`. The result is
 * stored in a step when the handler returns. Another execution with the key gets what any duplicate gets: the
 * stored result (no step runs), or a failed execution with `IdempotencyInProgressError` or
 * `IdempotencyPayloadMismatchError`. A handler that throws fails the execution and releases the key, so a later
 * execution runs again; its side effects keyed by `idempotencyOf(context).stableKey(purpose)` are not repeated.
 */
export function makeDurableIdempotent<TEvent, TResult, TContext extends DurableContextLike>(
  handler: (event: TEvent, context: TContext) => Promise<TResult>,
  options: DurableIdempotencyOptions<TEvent, TResult>,
): (event: TEvent, context: TContext) => Promise<TResult> {
  checkExecutionTimeout(options.executionTimeoutSeconds)
  const { key, payload, executionTimeoutSeconds, ...rest } = options
  const engine = createIdempotencyEngine<TEvent, TResult>({
    ...rest,
    key: key ?? envelopeKey,
    payload: payload ?? ((event) => event),
  })
  const leaseMs = executionTimeoutSeconds * 1000 + LEASE_MARGIN_MS
  const logger = options.logger ?? jsonLinesLogger

  async function claim(event: TEvent, context: TContext): Promise<Claim<TResult>> {
    // A context object of its own: the handle the engine attaches to it is not the handler's (attached below,
    // on every invocation), and it still reads the function name and remaining time of the Lambda context.
    const claimContext = Object.create(context.lambdaContext ?? null)
    try {
      const begun = await engine.begin(event, claimContext, undefined, claimTermsFor(context, leaseMs))
      if (begun.kind === 'replay') return { kind: 'replay', result: begun.result }
      if (begun.kind === 'passthrough') return { kind: 'unprotected' }
      const { key, token, fingerprint, leaseUntilEpochMs } = begun.invocation
      return { kind: 'held', claim: { key, token, fingerprint, leaseUntilEpochMs } }
    } catch (error) {
      if (!(error instanceof IdempotencyError && REFUSALS.has(error.code))) throw error
      const retryAfterSeconds =
        error instanceof IdempotencyInProgressError ? error.retryAfterSeconds : undefined
      return { kind: 'refused', code: error.code, message: error.message, retryAfterSeconds }
    }
  }

  /**
   * Completes or releases on a fresh copy of the held invocation: a store failure marks the copy as done with,
   * and the step's next attempt must still hold the key. Writes the handler added carry over.
   */
  async function settle(held: Invocation, write: (attempt: Invocation) => Promise<void>): Promise<null> {
    const attempt: Invocation = { ...held, state: 'held' }
    await write(attempt)
    held.state = attempt.state
    return null
  }

  return async function durableIdempotentHandler(event, context) {
    const claimed = await context.step(CLAIM_STEP, () => claim(event, context), STORE_RETRIES)
    if (claimed.kind === 'unprotected') return handler(event, context)
    if (claimed.kind === 'replay') return claimed.result
    if (claimed.kind === 'refused') throw refusal(claimed)
    const held = attachHandle(context, claimed.claim, ownWritesOpener(options, claimed.claim))
    let result: TResult
    try {
      result = await handler(event, context)
    } catch (error) {
      const ending = sdkEnding(error)
      // A new invocation resumes the execution under its claim: nothing to give back.
      if (ending === 'invocation') throw error
      // The SDK is failing the execution itself (no step can run now): give the key back directly.
      if (ending === 'execution') await engine.release(held).catch(() => undefined)
      else await releaseAfter(error)
      throw error
    }
    await context.step(
      COMPLETE_STEP,
      () => settle(held, (attempt) => engine.complete(attempt, result)),
      STORE_RETRIES,
    )
    return result

    async function releaseAfter(handlerError: unknown): Promise<void> {
      try {
        await context.step(
          RELEASE_STEP,
          () => settle(held, (attempt) => engine.release(attempt)),
          STORE_RETRIES,
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
}

/** The store's own writes for the handler, opened on first use, as the engine does for a claim it makes. */
function ownWritesOpener(
  options: Pick<IdempotencyOptions, 'store'>,
  claim: HeldClaim,
): (() => unknown) | undefined {
  const { store } = options
  if (store.openOwnWrites === undefined) return undefined
  return () => store.openOwnWrites?.({ key: claim.key, token: claim.token })
}

/** The same error on every replay of a refused claim. */
function refusal(claim: Extract<Claim<unknown>, { kind: 'refused' }>): IdempotencyError {
  switch (claim.code) {
    case 'in-progress':
      return new IdempotencyInProgressError((claim.retryAfterSeconds ?? 1) * 1000)
    case 'payload-mismatch':
      return new IdempotencyPayloadMismatchError()
    case 'key-missing':
      return new IdempotencyKeyMissingError(claim.message)
    default: {
      const error = new IdempotencyResultNotStoredError('')
      error.message = claim.message
      return error
    }
  }
}

/**
 * How the durable SDK ends an invocation it cannot continue, from the markers on its unrecoverable errors:
 * `invocation` (a checkpoint failed; a new invocation resumes the execution, still under its claim) or
 * `execution` (the execution fails, as after non-deterministic replay). Undefined for every other error.
 */
function sdkEnding(error: unknown): 'invocation' | 'execution' | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const marked = error as { isUnrecoverable?: unknown; isUnrecoverableInvocation?: unknown }
  if (marked.isUnrecoverableInvocation === true) return 'invocation'
  return marked.isUnrecoverable === true ? 'execution' : undefined
}

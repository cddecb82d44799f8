import { sha256 } from '../fingerprint.js'
import type { DurableContextLike, DurableStepConfig } from './types.js'

/** 366 days: the longest execution timeout Lambda durable functions accept (DurableConfig.ExecutionTimeout). */
export const MAX_EXECUTION_TIMEOUT_SECONDS = 31_622_400

/** Refused when the wrapper is built: a claim shorter than the execution could be taken over while it runs. */
export function checkExecutionTimeout(seconds: number): void {
  if (Number.isSafeInteger(seconds) && seconds >= 1 && seconds <= MAX_EXECUTION_TIMEOUT_SECONDS) return
  throw new RangeError(
    `executionTimeoutSeconds must be a whole number of seconds from 1 to ${MAX_EXECUTION_TIMEOUT_SECONDS} (366 days), got ${seconds}: set it to the durable function's execution timeout (CDK durableConfig.executionTimeout), so the claim lasts as long as an execution may run.`,
  )
}

/**
 * The claim of one durable execution: a token derived from its ARN, the same on every replay of it and on no
 * other execution, and a lease as long as the execution may run.
 */
export function claimTermsFor(context: DurableContextLike, leaseMs: number) {
  return { token: sha256(context.executionContext.durableExecutionArn), leaseMs }
}

/**
 * Store outages, and an attempt interrupted before it checkpointed (its write, fenced by the claim's state, is
 * safe to send again): a refusal or a lost lease is final, and a retry would get the same answer.
 */
const isRetryable = (error: unknown): boolean => {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown }
  return code === 'store-unavailable' || name === 'StepInterruptedError' || name === OWN_WRITES_SPENT
}

const OWN_WRITES_SPENT = 'OwnWritesSpentError'
/** The longest a Lambda invocation runs: what is left of one when its context cannot say. */
const MAX_INVOCATION_MS = 15 * 60 * 1000

/**
 * A completion attempt that cannot be made in this invocation: an earlier attempt in it failed and took the
 * handler's own writes with it (a PostgreSQL transaction ends with its connection), and only the handler's own
 * code, run again by a new invocation, makes them again. Its retry delay outlasts the invocation, so the SDK
 * suspends it instead of retrying inside it.
 */
export class OwnWritesSpentError extends Error {
  readonly retryAfterSeconds: number
  constructor(remainingMs = MAX_INVOCATION_MS) {
    super("The completion's own writes went with a failed attempt; a new invocation makes them again")
    this.name = OWN_WRITES_SPENT
    this.retryAfterSeconds = Math.ceil(remainingMs / 1000) + 1
  }
}

/**
 * A durable retry waits without compute, so the toolkit's steps wait out a store outage (a
 * regional incident) before the execution fails: 2, 4, ... 256 s, then every 5 minutes, 45 minutes in all.
 */
const MAX_STORE_ATTEMPTS = 16
const MAX_STORE_RETRY_DELAY_SECONDS = 300

export const STORE_RETRIES: DurableStepConfig = {
  retryStrategy: (error, attemptCount) => ({
    shouldRetry: isRetryable(error) && attemptCount < MAX_STORE_ATTEMPTS,
    delay: {
      seconds:
        (error as Partial<OwnWritesSpentError>).retryAfterSeconds ??
        Math.min(2 ** attemptCount, MAX_STORE_RETRY_DELAY_SECONDS),
    },
  }),
}

/**
 * The completion and the release: each runs only once its start is checkpointed. The SDK may go on running a
 * handler after it has failed the execution (a non-deterministic replay returns the checkpointed step and
 * carries on), and it checkpoints nothing more once it terminates: a write started then would land for an
 * execution already reported failed. With this, such a write never starts.
 */
const settlementStep = { ...STORE_RETRIES, semantics: 'AT_MOST_ONCE_PER_RETRY' } // StepSemantics.AtMostOncePerRetry
export const SETTLEMENT_STEP: DurableStepConfig = settlementStep

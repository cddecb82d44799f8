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
  return code === 'store-unavailable' || name === 'StepInterruptedError'
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
    delay: { seconds: Math.min(2 ** attemptCount, MAX_STORE_RETRY_DELAY_SECONDS) },
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

import type { LambdaContextLike } from '../options.js'

/**
 * What a durable step's retry strategy answers: the SDK's `RetryDecision`, written out here so this module needs
 * no type from the durable execution SDK (the toolkit works with any 2.x of it).
 */
export interface DurableRetryDecision {
  readonly shouldRetry: boolean
  readonly delay?: { readonly seconds: number }
}

export interface DurableStepConfig {
  readonly retryStrategy?: (error: Error, attemptCount: number) => DurableRetryDecision
}

/**
 * The parts of the SDK's `DurableContext` the toolkit uses: its execution's ARN (the same on every replay of
 * the execution, and different for every other execution), the Lambda context, and `step`. Any DurableContext
 * is one.
 */
export interface DurableContextLike {
  readonly executionContext: { readonly durableExecutionArn: string }
  readonly lambdaContext: LambdaContextLike
  step<T>(name: string, fn: () => Promise<T>, config?: DurableStepConfig): PromiseLike<T>
}

/**
 * The input the dispatcher and the 202 route start a durable execution with. `idempotencyKey` is the
 * execution's own name, derived from the starter's scoped and hashed key (never the raw key): the durable
 * wrapper's default key, so every execution started for one request holds one idempotency record.
 */
export interface DurableEnvelope<TInput = unknown> {
  readonly idempotencyKey: string
  readonly input: TInput
  /** The 202 route only: a hash of the caller that started it; `GET /operations/{id}` answers only that caller. */
  readonly owner?: string
}

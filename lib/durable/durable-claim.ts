import type { IdempotencyEngine } from '../engine.js'
import {
  type IdempotencyError,
  IdempotencyInProgressError,
  IdempotencyKeyMissingError,
  IdempotencyPayloadMismatchError,
  IdempotencyResultNotStoredError,
  isIdempotencyError,
} from '../errors.js'
import type { HeldClaim } from '../invocation.js'
import { claimTermsFor } from './durable-terms.js'
import { currentInvocation } from './invocation-scope.js'
import type { DurableContextLike, DurableEnvelope } from './types.js'

/**
 * What the claim step checkpoints. Replays read it back, so the store is called once per execution to claim and
 * once to complete, however many invocations the execution takes. Refusals are values, not thrown errors: the
 * step succeeds with them, and every replay throws the same error.
 */
export type Claim<TResult> =
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

/** The default key: the `idempotencyKey` of a `DurableEnvelope`, what the dispatcher and the 202 route send. */
export const envelopeKey = (event: unknown): string | undefined => {
  const key = (event as Partial<DurableEnvelope> | null | undefined)?.idempotencyKey
  return typeof key === 'string' ? key : undefined
}

/** The claim step's function: one claim per execution, under a token derived from the execution's ARN. */
export function claimStep<TEvent, TResult>(engine: IdempotencyEngine<TEvent, TResult>, leaseMs: number) {
  return async function claim(event: TEvent, context: DurableContextLike): Promise<Claim<TResult>> {
    // A context object of its own: the handle the engine attaches to it is not the handler's (attached below,
    // on every invocation), and it still reads the function name and remaining time of the Lambda context.
    const claimContext = Object.create(context.lambdaContext ?? null)
    try {
      const begun = await engine.begin(event, claimContext, undefined, claimTermsFor(context, leaseMs))
      if (begun.kind === 'replay') return { kind: 'replay', result: begun.result }
      if (begun.kind === 'passthrough') return { kind: 'unprotected' }
      const { key, token, fingerprint, leaseUntilEpochMs } = begun.invocation
      const held = { key, token, fingerprint, leaseUntilEpochMs }
      // Known to this invocation as soon as it is made: if the SDK refuses the step's checkpoint and fails the
      // execution, the claim is given back all the same.
      currentInvocation().claim = held
      return { kind: 'held', claim: held }
    } catch (error) {
      if (!(isIdempotencyError(error) && REFUSALS.has(error.code))) throw error
      const retryAfterSeconds =
        error.code === 'in-progress' ? (error as IdempotencyInProgressError).retryAfterSeconds : undefined
      return { kind: 'refused', code: error.code, message: error.message, retryAfterSeconds }
    }
  }
}

/** The same error on every replay of a refused claim. */
export function refusal(claim: Extract<Claim<unknown>, { kind: 'refused' }>): IdempotencyError {
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

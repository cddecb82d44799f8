import { IdempotencyError, IdempotencyHandlerTimeoutError, IdempotencyLeaseLostError } from './errors.js'
import { abortInvocation, type Invocation } from './invocation.js'
import type { LocalCache } from './local-cache.js'
import type { ResolvedOptions } from './options.js'
import { type CompletedRecord, toEpochSeconds } from './record.js'
import type { Reporter } from './reporting.js'
import { encodeResult } from './result-codec.js'

/**
 * The end of an invocation that holds a key: store its result, or give the key back. Every write is fenced
 * by the invocation's token, and after the handler ran a failed write never leads to a second run.
 */
export function createSettlement<TEvent, TResult>(
  config: ResolvedOptions<TEvent, TResult>,
  cache: LocalCache | undefined,
  { emit, withStoreErrors }: Reporter,
) {
  const { store, logger } = config

  async function complete(invocation: Invocation, result: TResult): Promise<void> {
    if (invocation.state !== 'held')
      throw new Error(`Cannot complete an invocation that is ${invocation.state}`)
    if (!config.shouldStore(result)) return release(invocation)
    const stored = encodeResult(result, config)
    if (stored.encoding === 'not-stored') {
      logger.warn('Result not stored; replays of this key will get an error', {
        key: invocation.key,
        reason: stored.reason,
      })
      emit({ type: 'result-not-stored', key: invocation.key })
    }
    const nowEpochMs = config.now()
    const record: CompletedRecord = {
      key: invocation.key,
      token: invocation.token,
      fingerprint: invocation.fingerprint,
      status: 'COMPLETED',
      result: stored,
      completedAtEpochMs: nowEpochMs,
      expiresAtEpochSeconds: toEpochSeconds(nowEpochMs) + config.ttlSeconds,
    }
    try {
      await settle(invocation, 'complete', () => store.complete(record, invocation.extraWrites))
    } catch (error) {
      // The handler's own writes refused the transaction, so nothing was committed: that is the handler's
      // failure, and like a thrown error it gives the key back, whichever wrapper called us.
      if (invocation.state === 'held') await release(invocation).catch(() => undefined)
      throw error
    }
    invocation.state = 'completed'
    cache?.set(record)
  }

  async function release(invocation: Invocation): Promise<void> {
    if (invocation.state !== 'held') return
    await settle(invocation, 'release', () => store.release(invocation.key, invocation.token))
    invocation.state = 'released'
    emit({ type: 'released', key: invocation.key })
  }

  /**
   * The framework answered while the handler's body may still run (Middy's early timeout). Releasing would let
   * a retry run beside it, and completing would store an answer the body never gave: keep the claim until its
   * lease ends, tell the body through its signal, and return the error the caller is answered with.
   */
  function abandon(invocation: Invocation, cause: unknown): IdempotencyHandlerTimeoutError {
    const error = new IdempotencyHandlerTimeoutError(invocation.leaseUntilEpochMs - config.now(), { cause })
    if (invocation.state !== 'held') return error
    invocation.state = 'abandoned'
    abortInvocation(invocation, cause)
    logger.warn('Handler timed out while still running; its key stays held until the lease ends', {
      key: invocation.key,
      leaseUntilEpochMs: invocation.leaseUntilEpochMs,
    })
    emit({ type: 'timed-out', key: invocation.key, error })
    return error
  }

  /**
   * After the handler ran, a failed write must never lead to a second run: on any store failure the
   * invocation stops holding the key (no release follows), and the record stays until its lease ends.
   */
  async function settle(
    invocation: Invocation,
    operation: 'complete' | 'release',
    write: () => Promise<void>,
  ) {
    try {
      await withStoreErrors(invocation.key, write)
    } catch (error) {
      if (!(error instanceof IdempotencyError)) throw error
      invocation.state = error instanceof IdempotencyLeaseLostError ? 'lost' : 'failed'
      if (error instanceof IdempotencyLeaseLostError) {
        logger.warn(`Lease lost before ${operation}: another attempt took this key over`, {
          key: invocation.key,
        })
        emit({ type: 'lease-lost', key: invocation.key, error })
      }
      throw error
    }
  }

  return { complete, release, abandon }
}

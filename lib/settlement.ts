import {
  IdempotencyCompletionRejectedError,
  type IdempotencyError,
  IdempotencyHandlerTimeoutError,
  IdempotencyLeaseLostError,
  isIdempotencyError,
} from './errors.js'
import { abortInvocation, type Invocation } from './invocation.js'
import type { LocalCache } from './local-cache.js'
import type { ResolvedOptions } from './options.js'
import {
  type CompletedRecord,
  completedBy,
  type IdempotencyRecord,
  type StoredResult,
  toEpochSeconds,
} from './record.js'
import type { Reporter } from './reporting.js'
import { encodeResult } from './result-codec.js'
import { isStoreWriteRefused } from './store/interface.js'

/**
 * The end of an invocation that holds a key: store its result, or give the key back. Every write is fenced
 * by the invocation's token, and after the handler ran a failed write never leads to a second run, unless
 * the handler's own writes failed with it (nothing was committed: like a thrown error, the key is released).
 */
export function createSettlement<TEvent, TResult>(
  config: ResolvedOptions<TEvent, TResult>,
  cache: LocalCache | undefined,
  { emit, storeUnavailable }: Reporter,
) {
  const { store, logger } = config

  async function complete(invocation: Invocation, result: TResult): Promise<void> {
    if (invocation.state !== 'held')
      throw new Error(`Cannot complete an invocation that is ${invocation.state}`)
    if (!config.shouldStore(result)) return release(invocation)
    let record: CompletedRecord
    try {
      record = await writeCompletion(invocation, completedRecord(invocation, encodeResult(result, config)))
    } catch (error) {
      throw await notCompleted(invocation, error)
    }
    if (record.result.encoding === 'not-stored') {
      logger.warn('Result not stored; replays of this key will get an error', {
        key: invocation.key,
        reason: record.result.reason,
      })
      emit({ type: 'result-not-stored', key: invocation.key })
    }
    invocation.state = 'completed'
    cache?.set(record)
  }

  function completedRecord(invocation: Invocation, result: StoredResult): CompletedRecord {
    const nowEpochMs = config.now()
    return {
      key: invocation.key,
      token: invocation.token,
      fingerprint: invocation.fingerprint,
      status: 'COMPLETED',
      result,
      completedAtEpochMs: nowEpochMs,
      expiresAtEpochSeconds: toEpochSeconds(nowEpochMs) + config.ttlSeconds,
    }
  }

  /**
   * Writes the completion and returns the record written. A result the store refuses for good (too large for
   * its item once the key and the handler's writes count) is written again as not stored: the handler ran, so
   * replays must say so rather than run it a second time. Once only: refused again, the handler's writes are
   * to blame.
   */
  async function writeCompletion(invocation: Invocation, record: CompletedRecord): Promise<CompletedRecord> {
    const write = (written: CompletedRecord) =>
      settle(invocation, 'complete', () => store.complete(written, invocation.ownWrites))
    try {
      await write(record)
      return record
    } catch (error) {
      const resultMayBeAtFault =
        isStoreWriteRefused(error) &&
        error.refused !== 'own-writes' &&
        record.result.encoding !== 'not-stored'
      if (!resultMayBeAtFault) throw error
      const notStored = completedRecord(invocation, {
        encoding: 'not-stored',
        reason: `the store refused to keep it (${error.message})`,
      })
      await write(notStored)
      return notStored
    }
  }

  /** The error for a completion that did not land, after giving back a key whose handler writes failed. */
  async function notCompleted(invocation: Invocation, error: unknown): Promise<unknown> {
    // Lease lost or store outage: `settle` has let the key go to its lease, never to a second run now.
    if (invocation.state !== 'held') return error
    if (isStoreWriteRefused(error) && error.refused === 'record') {
      // Refused even without a result, and no handler writes to blame: the lease ends it, never a second run.
      invocation.state = 'failed'
      logger.warn('Completion refused by the store; the key stays held until its lease ends', {
        key: invocation.key,
        error: error.message,
      })
      return new IdempotencyCompletionRejectedError(false, error)
    }
    // The handler's own writes refused the transaction, so nothing was committed: that is the handler's
    // failure, and like a thrown error it gives the key back, whichever wrapper called us.
    await release(invocation).catch(() => undefined)
    if (!isStoreWriteRefused(error)) return error
    logger.warn('Handler writes refused by the store; the key was released', {
      key: invocation.key,
      error: error.message,
    })
    return new IdempotencyCompletionRejectedError(true, error)
  }

  async function release(invocation: Invocation): Promise<void> {
    if (invocation.state !== 'held') return
    await settle(invocation, 'release', () =>
      store.release(invocation.key, invocation.token, invocation.ownWrites),
    )
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
    // Nothing the late body writes through them may ever commit: no completion will come for this claim.
    if (invocation.ownWrites !== undefined)
      void store.discardOwnWrites?.(invocation.ownWrites).catch(() => undefined)
    logger.warn('Handler timed out while still running; its key stays held until the lease ends', {
      key: invocation.key,
      leaseUntilEpochMs: invocation.leaseUntilEpochMs,
    })
    emit({ type: 'timed-out', key: invocation.key, error })
    return error
  }

  /**
   * After the handler ran, a failed write must never lead to a second run: on any store failure the
   * invocation stops holding the key (no release follows), and the record stays until its lease ends. A write
   * whose answer was lost (a timeout after it landed, a connection dropped after COMMIT) is resolved by reading
   * the record back, never by sending it again.
   */
  async function settle(
    invocation: Invocation,
    operation: 'complete' | 'release',
    write: () => Promise<void>,
  ) {
    let failure: IdempotencyError
    try {
      return await write()
    } catch (error) {
      if (!isIdempotencyError(error)) throw error
      failure = error
    }
    if (failure.code === 'store-unavailable') {
      const found = await readBack(invocation, operation)
      if (found === 'landed') {
        logger.warn(`The ${operation} landed though its answer was lost; read back from the store`, {
          key: invocation.key,
        })
        return
      }
      if (found === 'taken-over') failure = new IdempotencyLeaseLostError(operation)
      // Only a write the read-back cannot settle is an outage.
      else storeUnavailable(invocation.key, failure)
    }
    invocation.state = failure.code === 'lease-lost' ? 'lost' : 'failed'
    if (failure.code === 'lease-lost') {
      logger.warn(`Lease lost before ${operation}: another attempt took this key over`, {
        key: invocation.key,
      })
      emit({ type: 'lease-lost', key: invocation.key, error: failure })
    }
    throw failure
  }

  /**
   * What a write that failed in transit did, from the record read back: `landed` (completed by this token, or
   * for a release, gone), `taken-over` (another token holds it), or `unknown` (still this claim, or no read).
   */
  async function readBack(
    invocation: Invocation,
    operation: 'complete' | 'release',
  ): Promise<'landed' | 'taken-over' | 'unknown'> {
    let record: IdempotencyRecord | undefined
    try {
      record = await store.get(invocation.key)
    } catch {
      return 'unknown'
    }
    if (completedBy(record, invocation.token)) return 'landed'
    if (record === undefined) return operation === 'release' ? 'landed' : 'taken-over'
    return record.token === invocation.token ? 'unknown' : 'taken-over'
  }

  return { complete, release, abandon }
}

import { randomUUID } from 'node:crypto'
import { canonicalJson, sha256 } from '../fingerprint.js'
import { leaseMsFor } from '../lease.js'
import { checkLeaseMs } from '../option-checks.js'
import { optionNames, refuseUnknownOptions } from '../option-names.js'
import type { CommonOptions, LambdaContextLike } from '../options.js'
import { decideWatermark, type WatermarkLease, type WatermarkStore } from '../store/watermark-store.js'

/** `leaseMs` and `now` as every wrapper takes them (`CommonOptions`); the store is a watermark store. */
export interface WatermarkJobOptions<TMark> extends Pick<CommonOptions, 'leaseMs' | 'now'> {
  readonly store: WatermarkStore
  /** Names the job; its watermark is stored under a hash of the name. */
  readonly name: string
  /** Where the very first run starts. Marks are JSON values (an ISO time, a number, an object of several). */
  readonly initial: TMark
}

const WATERMARK_OPTION_NAMES = optionNames<WatermarkJobOptions<unknown>>()([
  'leaseMs',
  'now',
  'store',
  'name',
  'initial',
])

export interface WatermarkWindow<TMark> {
  /** The stored watermark: everything up to it is done. The run processes what comes after it. */
  readonly from: TMark
  /**
   * Records progress inside a long run (after each page): moves the watermark to `to` and renews the lease, so a
   * crash later redoes only the work after `to`. Throws `IdempotencyLeaseLostError` once another run holds the job.
   */
  checkpoint(to: TMark): Promise<void>
}

export type WatermarkRun<TMark> =
  | { readonly kind: 'advanced'; readonly from: TMark; readonly to: TMark }
  /** Another run holds the job's lease: this one did nothing. */
  | { readonly kind: 'busy'; readonly retryAfterMs: number }

export interface WatermarkJob<TMark> {
  /**
   * Runs `work` over the window after the stored watermark and stores the mark it returns, only if this run
   * still holds the job and the watermark is still the one it started from. `work` throwing stores nothing (the
   * next run redoes the window: skips nothing); a second run while one holds the lease returns `busy` (no window
   * is processed twice). Pass the Lambda context to lease for the invocation's remaining time.
   */
  run(
    work: (window: WatermarkWindow<TMark>) => Promise<TMark>,
    context?: LambdaContextLike,
  ): Promise<WatermarkRun<TMark>>
}

/** A high-watermark checkpoint for a scheduled incremental job (export changes since the last run, etc.). *
 * @example
 * ```ts
 * const exports = watermarkJob({ store: new DynamoDBWatermarkStore(), name: 'orders-export', initial: '1970-01-01' })
 * export const handler = () =>
 *   exports.run(async ({ from }) => exportOrdersChangedSince(from), context)
 * ```
 */
export function watermarkJob<TMark>(options: WatermarkJobOptions<TMark>): WatermarkJob<TMark> {
  refuseUnknownOptions(options, WATERMARK_OPTION_NAMES, 'watermarkJob')
  checkLeaseMs(options.leaseMs)
  const { store } = options
  const now = options.now ?? Date.now
  const key = `watermark#${sha256(options.name)}`

  async function run(
    work: (window: WatermarkWindow<TMark>) => Promise<TMark>,
    context?: LambdaContextLike,
  ): Promise<WatermarkRun<TMark>> {
    const leaseFrom = (nowEpochMs: number, token: string): WatermarkLease => ({
      key,
      token,
      leaseUntilEpochMs: nowEpochMs + leaseMsFor(context, options.leaseMs),
    })
    const startEpochMs = now()
    let lease = leaseFrom(startEpochMs, randomUUID())
    const claim = await store.claim(lease, startEpochMs)
    if (!claim.claimed) {
      const decision = decideWatermark(claim.existing, lease, startEpochMs)
      return { kind: 'busy', retryAfterMs: decision.kind === 'busy' ? decision.retryAfterMs : 0 }
    }
    // A claim that landed after its own lease ended (a slow or retried write) holds nothing: another run may
    // already be working on the same window. Never work on it; the next run claims afresh.
    if (now() >= lease.leaseUntilEpochMs) return { kind: 'busy', retryAfterMs: 0 }

    let stored = claim.watermark
    const from = stored === undefined ? options.initial : (JSON.parse(stored) as TMark)
    const checkpoint = async (to: TMark) => {
      const next = canonicalJson(to)
      lease = leaseFrom(now(), lease.token)
      await store.advance(lease, stored, next, false)
      stored = next
    }

    let to: TMark
    try {
      to = await work({ from, checkpoint })
    } catch (error) {
      // The work's error is the one to raise; a failed release leaves the lease to end on its own.
      await store.release(lease).catch(() => undefined)
      throw error
    }
    await store.advance(lease, stored, canonicalJson(to), true)
    return { kind: 'advanced', from, to }
  }

  return { run }
}

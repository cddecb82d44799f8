/** One run's hold on a job: a fencing token and the end of its lease. */
export interface WatermarkLease {
  /** `watermark#${sha256(jobName)}`. */
  readonly key: string
  readonly token: string
  readonly leaseUntilEpochMs: number
}

export interface WatermarkState {
  readonly key: string
  /** Canonical JSON of the high-watermark: everything up to it is done. Absent before the first run ends. */
  readonly watermark?: string
  readonly lease?: { readonly token: string; readonly leaseUntilEpochMs: number }
  /** The token of the run whose last advance ended its lease: an advance it sends again finds itself done. */
  readonly completedBy?: string
}

export type WatermarkDecision =
  | { readonly kind: 'claim' }
  | { readonly kind: 'busy'; readonly retryAfterMs: number }

/** A run may start when no other run holds a live lease (its own token counts as free: an SDK retry). */
export function decideWatermark(
  existing: WatermarkState | undefined,
  request: WatermarkLease,
  nowEpochMs: number,
): WatermarkDecision {
  const lease = existing?.lease
  if (lease === undefined || lease.token === request.token || lease.leaseUntilEpochMs <= nowEpochMs)
    return { kind: 'claim' }
  return { kind: 'busy', retryAfterMs: lease.leaseUntilEpochMs - nowEpochMs }
}

/**
 * Whether `state` shows that this advance landed (its answer lost, or sent again): the watermark is at `to`, and
 * the lease was ended, or is still this run's, as the advance asked.
 */
export const advanceLanded = (
  state: WatermarkState | undefined,
  lease: WatermarkLease,
  to: string,
  release: boolean,
): boolean =>
  state?.watermark === to &&
  (release ? state.completedBy === lease.token : state.lease?.token === lease.token)

export type WatermarkClaim =
  | { readonly claimed: true; readonly watermark: string | undefined }
  | { readonly claimed: false; readonly existing: WatermarkState }

/**
 * Job watermarks, on the idempotency table in a store of their own (see `VersionStore` for why not in
 * `IdempotencyStore`). Refused advances and releases throw `IdempotencyLeaseLostError`.
 */
export interface WatermarkStore {
  /** Takes the job's lease and returns the watermark the run starts from, in the same call. */
  claim(lease: WatermarkLease, nowEpochMs: number): Promise<WatermarkClaim>
  /**
   * Moves the watermark from `from` (undefined: never set) to `to`, only while `lease` still holds the job and
   * the watermark is still `from`. `release` ends the lease; otherwise it is renewed to `lease.leaseUntilEpochMs`.
   */
  advance(lease: WatermarkLease, from: string | undefined, to: string, release: boolean): Promise<void>
  /** Ends the lease after a failed run; the watermark stays, so the next run redoes the same window. */
  release(lease: WatermarkLease): Promise<void>
}

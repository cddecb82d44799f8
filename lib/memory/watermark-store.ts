import { IdempotencyLeaseLostError } from '../errors.js'
import {
  advanceLanded,
  decideWatermark,
  type WatermarkClaim,
  type WatermarkLease,
  type WatermarkState,
  type WatermarkStore,
} from '../store/watermark-store.js'

/** The same semantics in process memory, for unit tests and local experiments. Never for production. */
export class InMemoryWatermarkStore implements WatermarkStore {
  readonly states = new Map<string, WatermarkState>()

  async claim(request: WatermarkLease, nowEpochMs: number): Promise<WatermarkClaim> {
    const existing = this.states.get(request.key)
    if (decideWatermark(existing, request, nowEpochMs).kind === 'busy')
      return { claimed: false, existing: existing as WatermarkState }
    const { token, leaseUntilEpochMs } = request
    this.states.set(request.key, { ...existing, key: request.key, lease: { token, leaseUntilEpochMs } })
    return { claimed: true, watermark: existing?.watermark }
  }

  async advance(
    lease: WatermarkLease,
    from: string | undefined,
    to: string,
    release: boolean,
  ): Promise<void> {
    const existing = this.states.get(lease.key)
    if (advanceLanded(existing, lease, to, release)) return
    if (existing?.lease?.token !== lease.token || existing.watermark !== from)
      throw new IdempotencyLeaseLostError('complete')
    const { token, leaseUntilEpochMs } = lease
    this.states.set(lease.key, {
      key: lease.key,
      watermark: to,
      ...(release ? { completedBy: token } : { lease: { token, leaseUntilEpochMs } }),
    })
  }

  async release(lease: WatermarkLease): Promise<void> {
    const existing = this.states.get(lease.key)
    if (existing?.lease === undefined) return
    if (existing.lease.token !== lease.token) throw new IdempotencyLeaseLostError('release')
    this.states.set(lease.key, {
      key: lease.key,
      ...(existing.watermark !== undefined && { watermark: existing.watermark }),
    })
  }
}

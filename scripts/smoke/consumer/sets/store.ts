import type { IdempotencyStore } from 'lambda-idempotency'
import type { AcquireResult, IdempotencyRecord, InProgressRecord } from 'lambda-idempotency/store'
import { decide, recordKeyOf } from 'lambda-idempotency/store'

// The start of a store of one's own: the interface, the records, and the decision its condition mirrors.
export class MapStore implements Pick<IdempotencyStore, 'acquire' | 'get'> {
  private readonly records = new Map<string, IdempotencyRecord>()

  async acquire(record: InProgressRecord, nowEpochMs: number): Promise<AcquireResult> {
    const existing = this.records.get(record.key)
    const decision = decide(existing, { fingerprint: record.fingerprint, token: record.token }, nowEpochMs)
    if (existing !== undefined && decision.kind !== 'execute') return { acquired: false, existing }
    this.records.set(record.key, record)
    return { acquired: true }
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    return this.records.get(key)
  }
}

export const key = recordKeyOf

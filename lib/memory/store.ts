import { decide } from '../decide.js'
import { IdempotencyLeaseLostError } from '../errors.js'
import {
  type CompletedRecord,
  completedBy,
  type IdempotencyRecord,
  type InProgressRecord,
} from '../record.js'
import { CollectedWrites, collectedItems } from '../store/collected-writes.js'
import type { AcquireResult, IdempotencyStore, OwnWritesClaim } from '../store/interface.js'

/**
 * An in-process store with the same conditional semantics as `DynamoDBStore`, for unit tests and local
 * experiments. Not durable and not shared between processes, so never for production.
 */
export class InMemoryStore implements IdempotencyStore<CollectedWrites<unknown>> {
  readonly records = new Map<string, IdempotencyRecord>()
  /** Own writes committed with a completion, kept so tests can see what would have been committed with it. */
  readonly committedWrites: unknown[] = []

  /** Collects any writes (DynamoDB-shaped from `addToCompletion`, or anything) to commit with the completion. */
  openOwnWrites(claim: OwnWritesClaim): CollectedWrites<unknown> {
    return new CollectedWrites<unknown>(Number.POSITIVE_INFINITY, claim.assertWritable)
  }

  async acquire(record: InProgressRecord, nowEpochMs: number): Promise<AcquireResult> {
    const existing = this.records.get(record.key)
    if (existing === undefined || decide(existing, record, nowEpochMs).kind === 'execute') {
      this.records.set(record.key, record)
      return { acquired: true }
    }
    return { acquired: false, existing }
  }

  async complete(record: CompletedRecord, ownWrites?: CollectedWrites<unknown>): Promise<void> {
    const existing = this.records.get(record.key)
    // Sent again after it landed: done, and nothing is applied twice.
    if (completedBy(existing, record.token)) return
    if (existing?.token !== record.token) throw new IdempotencyLeaseLostError('complete')
    this.records.set(record.key, record)
    this.committedWrites.push(...collectedItems(ownWrites))
  }

  async release(key: string, token: string): Promise<void> {
    const existing = this.records.get(key)
    // Gone already, or completed by this token (a completed record is never given back by its own claim).
    if (existing === undefined || completedBy(existing, token)) return
    if (existing.token !== token) throw new IdempotencyLeaseLostError('release')
    this.records.delete(key)
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    return this.records.get(key)
  }

  async getMany(keys: readonly string[]): Promise<Map<string, IdempotencyRecord>> {
    const found = new Map<string, IdempotencyRecord>()
    for (const key of keys) {
      const record = this.records.get(key)
      if (record !== undefined) found.set(key, record)
    }
    return found
  }
}

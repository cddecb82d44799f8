import type { CompletedRecord } from './record.js'

/**
 * Completed records kept in a warm container so a replay costs no store call. Only COMPLETED records are
 * cached: they never change until they expire, which `decide` checks on every read. Least recently used
 * entries go first once `maxEntries` is reached.
 */
export class LocalCache {
  private readonly entries = new Map<string, CompletedRecord>()

  constructor(private readonly maxEntries: number) {
    if (!(maxEntries > 0)) throw new RangeError(`localCache.maxEntries must be positive, got ${maxEntries}`)
  }

  get(key: string): CompletedRecord | undefined {
    const record = this.entries.get(key)
    if (record === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, record)
    return record
  }

  set(record: CompletedRecord): void {
    this.entries.delete(record.key)
    this.entries.set(record.key, record)
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
  }

  delete(key: string): void {
    this.entries.delete(key)
  }
}

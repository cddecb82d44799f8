import type { IdempotencyRecord } from '../record.js'
import { CliError } from './errors.js'

/**
 * What the operator CLI needs from wherever records live: read one, delete one under a fence, and scan. The
 * commands know nothing else about the store: DynamoDB and PostgreSQL are two implementations, chosen in
 * `openBackend` (store-choice.ts).
 */
export interface RecordBackend {
  /** Where the records live, for messages: `DynamoDB table payments-idempotency`. */
  readonly description: string
  /** The order a sample's first items come in, for the stats heading: says whether it is biased. */
  readonly sampleOrder: string
  /** Whether `scan` honours `segments` (DynamoDB's parallel scan). */
  readonly parallelScan: boolean
  /** The record under `recordKey`, read consistently; undefined when there is none. */
  read(recordKey: string): Promise<IdempotencyRecord | undefined>
  /**
   * Deletes `record` only if the stored record is still exactly the one read: same token, status, fingerprint,
   * retention end, and lease end (IN_PROGRESS) or completion time (COMPLETED); and, when `leaseEndedBy` is
   * given, a lease that ended by then. `changed` means nothing was deleted.
   */
  deleteFenced(record: IdempotencyRecord, fence: DeleteFence): Promise<'deleted' | 'gone' | 'changed'>
  /** Reads items page by page; `onPage` sees each page as it arrives (pages of parallel segments interleave). */
  scan(request: ScanRequest, onPage: (items: readonly ScannedItem[]) => void): Promise<void>
  /**
   * A cheap, approximate item count for a progress bar: DynamoDB updates it about every six hours, PostgreSQL
   * on ANALYZE (autovacuum runs it).
   */
  approximateItemCount(): Promise<number | undefined>
  /** Lets go of connections, so the process can exit. */
  close(): Promise<void>
}

export interface DeleteFence {
  /** Epoch milliseconds: refuse a record whose lease is still live at this time. Omitted with --force. */
  readonly leaseEndedBy?: number
}

export interface ScanRequest {
  /** Stop after this many items (a sample); undefined reads everything. */
  readonly maxItems?: number
  /** Items per store call; smaller pages spread the read load (and show progress more often). */
  readonly pageSize?: number
  /** Parallel segments of a full scan. */
  readonly segments?: number
}

/** A scanned item without its stored result: records by state, and anything else the table holds. */
export type ScannedItem =
  | {
      readonly kind: 'record'
      readonly key: string
      readonly status: IdempotencyRecord['status']
      readonly expiresAtEpochSeconds: number
      readonly leaseUntilEpochMs?: number
      readonly completedAtEpochMs?: number
    }
  /** Entity versions and watermarks of the event helpers share the table; they are not idempotency records. */
  | { readonly kind: 'other'; readonly key: string }

/**
 * Loads a module that needs a peer dependency; when the peer is not installed, says what to install instead
 * of printing a trace. ESM says ERR_MODULE_NOT_FOUND "Cannot find package 'pg'", CommonJS MODULE_NOT_FOUND.
 */
export async function withPeer<T>(name: string, what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string }
    if (!/MODULE_NOT_FOUND/.test(code ?? '') || !message?.includes(`'${name}'`)) throw error
    throw new CliError(`needs ${what}: run it from a project with ${name} installed (npm install ${name}).`)
  }
}

import type { CompletedRecord, IdempotencyRecord, StoredResult } from '../record.js'

/** A record as the table stores it; bigint columns come back from `pg` as strings. */
export interface RecordRow {
  readonly key: string
  readonly status: string
  readonly token: string
  readonly fingerprint: string
  readonly expires_at_epoch_seconds: string | number
  readonly lease_until_epoch_ms: string | number | null
  readonly completed_at_epoch_ms: string | number | null
  readonly result_encoding: string | null
  readonly result_text: string | null
  readonly result_bytes: Uint8Array | null
}

/** The columns a completion writes, in the order of the completion statements' parameters $3 onwards. */
export function completionValues(record: CompletedRecord): unknown[] {
  const { result } = record
  return [
    record.fingerprint,
    record.expiresAtEpochSeconds,
    record.completedAtEpochMs,
    result.encoding,
    resultText(result),
    result.encoding === 'json+br' ? Buffer.from(result.compressed) : null,
  ]
}

function resultText(result: StoredResult): string | null {
  switch (result.encoding) {
    case 'json':
      return result.json
    case 'not-stored':
      // PostgreSQL text cannot hold NUL; JSON never contains a raw one, a reason (an error message) might.
      return result.reason.replaceAll('\u0000', '\uFFFD')
    default:
      return null
  }
}

/** The one mapping back; a row that is not a record of ours is an error, never guessed at. */
export function fromRow(row: RecordRow): IdempotencyRecord {
  const base = {
    key: row.key,
    token: row.token,
    fingerprint: row.fingerprint,
    expiresAtEpochSeconds: Number(row.expires_at_epoch_seconds),
  }
  if (row.status === 'IN_PROGRESS')
    return {
      ...base,
      status: 'IN_PROGRESS',
      leaseUntilEpochMs: Number(required(row, 'lease_until_epoch_ms')),
    }
  if (row.status === 'COMPLETED')
    return {
      ...base,
      status: 'COMPLETED',
      completedAtEpochMs: Number(required(row, 'completed_at_epoch_ms')),
      result: resultOf(row),
    }
  throw new Error(`Idempotency row ${row.key} has unknown status ${row.status}`)
}

function resultOf(row: RecordRow): StoredResult {
  const encoding = row.result_encoding
  switch (encoding) {
    case 'json':
      return { encoding, json: required(row, 'result_text') }
    case 'json+br':
      // A plain Uint8Array, as DynamoDB returns: a Buffer from a pooled allocation would drag its pool along.
      return { encoding, compressed: new Uint8Array(required(row, 'result_bytes')) }
    case 'not-stored':
      return { encoding, reason: required(row, 'result_text') }
    case 'undefined':
      return { encoding }
    default:
      throw new Error(`Idempotency row ${row.key} has unknown result encoding ${encoding}`)
  }
}

function required<K extends keyof RecordRow>(row: RecordRow, column: K): NonNullable<RecordRow[K]> {
  const value = row[column]
  if (value === null || value === undefined) throw new Error(`Idempotency row ${row.key} lacks ${column}`)
  return value as NonNullable<RecordRow[K]>
}

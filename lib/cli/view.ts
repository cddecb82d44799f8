import { brotliDecompressSync } from 'node:zlib'
import { type IdempotencyRecord, isExpired, type StoredResult } from '../record.js'
import { namespaceOfRecordKey } from '../record-key.js'

/** One record as the operator sees it. Times carry both forms: ISO for people, epoch units for scripts. */
export interface RecordView {
  readonly recordKey: string
  readonly namespace: string | undefined
  /** `expired` is not stored: the record is past its retention and behaves as absent until TTL (or the cleanup) deletes it. */
  readonly state: 'IN_PROGRESS' | 'COMPLETED' | 'expired'
  readonly status: IdempotencyRecord['status']
  readonly expiresAt: string
  readonly expiresAtEpochSeconds: number
  readonly fingerprint: string
  readonly lease?: { readonly live: boolean; readonly until: string; readonly remainingMs: number }
  readonly completedAt?: string
  readonly result?: ResultSize
}

export interface ResultSize {
  readonly encoding: StoredResult['encoding']
  /** Bytes the table holds for the result. */
  readonly storedBytes: number
  /** Bytes of the JSON once decompressed (json+br only). */
  readonly jsonBytes?: number
  /** Why the result was not stored (not-stored only). */
  readonly reason?: string
}

export function viewOf(record: IdempotencyRecord, nowEpochMs: number): RecordView {
  const base = {
    recordKey: record.key,
    namespace: namespaceOfRecordKey(record.key),
    state: isExpired(record, nowEpochMs) ? ('expired' as const) : record.status,
    status: record.status,
    expiresAt: new Date(record.expiresAtEpochSeconds * 1000).toISOString(),
    expiresAtEpochSeconds: record.expiresAtEpochSeconds,
    fingerprint: record.fingerprint,
  }
  if (record.status === 'IN_PROGRESS') {
    const remainingMs = Math.max(0, record.leaseUntilEpochMs - nowEpochMs)
    const until = new Date(record.leaseUntilEpochMs).toISOString()
    return { ...base, lease: { live: remainingMs > 0 && base.state !== 'expired', until, remainingMs } }
  }
  const completedAt = new Date(record.completedAtEpochMs).toISOString()
  return { ...base, completedAt, result: sizeOf(record.result) }
}

function sizeOf(result: StoredResult): ResultSize {
  switch (result.encoding) {
    case 'json':
      return { encoding: 'json', storedBytes: Buffer.byteLength(result.json) }
    case 'json+br': {
      const jsonBytes = brotliDecompressSync(result.compressed).byteLength
      return { encoding: 'json+br', storedBytes: result.compressed.byteLength, jsonBytes }
    }
    case 'undefined':
      return { encoding: 'undefined', storedBytes: 0 }
    case 'not-stored':
      return { encoding: 'not-stored', storedBytes: 0, reason: result.reason }
  }
}

/** The record as aligned `Label  value` lines. */
export function describeRecord(view: RecordView, where: string, nowEpochMs: number): string[] {
  const lines: [string, string][] = [
    ['Record', view.recordKey],
    ['Store', where],
    ['State', stateLine(view)],
  ]
  if (view.lease) lines.push(['Lease', leaseLine(view.lease, nowEpochMs)])
  if (view.completedAt)
    lines.push(['Completed', `${view.completedAt} (${ago(view.completedAt, nowEpochMs)})`])
  lines.push(['Expires', `${view.expiresAt} (${relative(Date.parse(view.expiresAt) - nowEpochMs)})`])
  lines.push(['Fingerprint', view.fingerprint])
  if (view.result) lines.push(['Result', resultLine(view.result)])
  return lines.map(([label, value]) => `${label.padEnd(12)}${value}`)
}

function stateLine(view: RecordView): string {
  if (view.state === 'expired')
    return `expired (stored as ${view.status}, past its retention): the next request with the key runs again`
  return view.state
}

function leaseLine(lease: NonNullable<RecordView['lease']>, nowEpochMs: number): string {
  if (lease.live)
    return `live, ends in ${duration(lease.remainingMs)} (${lease.until}): the handler may be running`
  return `ended ${ago(lease.until, nowEpochMs)} (${lease.until}): the attempt died; the next request with the same payload takes over`
}

function resultLine(result: ResultSize): string {
  switch (result.encoding) {
    case 'json':
      return `json, ${result.storedBytes} bytes`
    case 'json+br':
      return `json+br, ${result.storedBytes} bytes compressed (${result.jsonBytes} bytes of JSON)`
    case 'undefined':
      return 'none: the handler returned undefined'
    case 'not-stored':
      return `not stored (${result.reason}): a replay answers result-not-stored`
  }
}

const ago = (iso: string, nowEpochMs: number) => `${duration(nowEpochMs - Date.parse(iso))} ago`
const relative = (ms: number) => (ms >= 0 ? `in ${duration(ms)}` : `${duration(-ms)} ago`)

/** Whole seconds, minutes, hours or days: enough precision for a person at 3 a.m. */
export function duration(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

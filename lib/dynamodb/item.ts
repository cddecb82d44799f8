import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import type { IdempotencyRecord, StoredResult } from '../record.js'
import { IDEMPOTENCY_ATTRIBUTES as A } from './schema.js'

export type Item = Record<string, AttributeValue>

/** The one mapping from a record to a DynamoDB item. */
export function toItem(record: IdempotencyRecord): Item {
  const item: Item = {
    [A.key]: { S: record.key },
    [A.status]: { S: record.status },
    [A.token]: { S: record.token },
    [A.fingerprint]: { S: record.fingerprint },
    [A.expiresAt]: { N: String(record.expiresAtEpochSeconds) },
  }
  if (record.status === 'IN_PROGRESS') {
    item[A.leaseUntil] = { N: String(record.leaseUntilEpochMs) }
    return item
  }
  item[A.completedAt] = { N: String(record.completedAtEpochMs) }
  item[A.resultEncoding] = { S: record.result.encoding }
  const result = resultValue(record.result)
  if (result !== undefined) item[A.result] = result
  return item
}

function resultValue(result: StoredResult): AttributeValue | undefined {
  switch (result.encoding) {
    case 'json':
      return { S: result.json }
    case 'json+br':
      return { B: result.compressed }
    case 'not-stored':
      return { S: result.reason }
    case 'undefined':
      return undefined
  }
}

/** The one mapping back; an item that is not a record of ours is an error, never guessed at. */
export function fromItem(item: Item): IdempotencyRecord {
  const base = {
    key: str(item, A.key),
    token: str(item, A.token),
    fingerprint: str(item, A.fingerprint),
    expiresAtEpochSeconds: num(item, A.expiresAt),
  }
  const status = str(item, A.status)
  if (status === 'IN_PROGRESS') return { ...base, status, leaseUntilEpochMs: num(item, A.leaseUntil) }
  if (status === 'COMPLETED') {
    return { ...base, status, completedAtEpochMs: num(item, A.completedAt), result: resultFrom(item) }
  }
  throw new Error(`Idempotency item ${base.key} has unknown status ${status}`)
}

function resultFrom(item: Item): StoredResult {
  const encoding = str(item, A.resultEncoding)
  switch (encoding) {
    case 'json':
      return { encoding, json: str(item, A.result) }
    case 'json+br': {
      const compressed = item[A.result]?.B
      if (compressed === undefined) throw new Error(`Idempotency item lacks binary attribute ${A.result}`)
      return { encoding, compressed }
    }
    case 'not-stored':
      return { encoding, reason: str(item, A.result) }
    case 'undefined':
      return { encoding }
    default:
      throw new Error(`Idempotency item has unknown result encoding ${encoding}`)
  }
}

function str(item: Item, name: string): string {
  const value = item[name]?.S
  if (value === undefined) throw new Error(`Idempotency item lacks string attribute ${name}`)
  return value
}

function num(item: Item, name: string): number {
  const value = item[name]?.N
  if (value === undefined) throw new Error(`Idempotency item lacks number attribute ${name}`)
  return Number(value)
}

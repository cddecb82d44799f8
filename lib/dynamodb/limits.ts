import { randomUUID } from 'node:crypto'
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import { sha256 } from '../fingerprint.js'
import { type Item, toItem } from './item.js'

/** DynamoDB's item limit: the UTF-8 bytes of every attribute's name and value. */
export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024
/** DynamoDB's limit on a partition key value; a longer key is refused before anything is stored. */
const PARTITION_KEY_LIMIT_BYTES = 2048
/** A number costs one byte per two significant digits plus one, 38 digits at most: 21 bounds it. */
const NUMBER_MAX_BYTES = 21

/** An item's size as DynamoDB counts it, numbers at their largest. Only the types our records use. */
function itemBytes(item: Item): number {
  let bytes = 0
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value)
  return bytes
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S)
  if (value.B !== undefined) return value.B.byteLength
  if (value.N !== undefined) return NUMBER_MAX_BYTES
  throw new Error('itemBytes counts only S, B and N attributes')
}

/**
 * The largest result a completed record can hold on DynamoDB whatever its key: the item limit less every
 * other attribute at its largest (the key at DynamoDB's limit, the longest encoding name, numbers of 38 digits).
 */
export const DYNAMODB_MAX_RESULT_BYTES =
  DYNAMODB_ITEM_LIMIT_BYTES -
  itemBytes(
    toItem({
      key: 'k'.repeat(PARTITION_KEY_LIMIT_BYTES),
      fingerprint: sha256(''),
      token: randomUUID(),
      status: 'COMPLETED',
      result: { encoding: 'not-stored', reason: '' },
      completedAtEpochMs: 0,
      expiresAtEpochSeconds: 0,
    }),
  )

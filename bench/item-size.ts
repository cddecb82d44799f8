import { randomUUID } from 'node:crypto'
import type { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { SIDES, type Side, wrap } from './contenders.js'
import { type BenchTables, type Item, recordLeftBy } from './dynamodb.js'
import { orderEvent, orderHistory, withKey } from './workload.js'

/**
 * Item size by DynamoDB's published rules (the size that counts against the 400 KB limit and write units):
 * attribute names plus values; strings in UTF-8 bytes, binary in raw bytes, numbers one byte per two significant
 * digits plus one, lists and maps 3 bytes plus one byte per element plus their elements.
 */
export function itemBytes(item: Item): number {
  let total = 0
  for (const [name, value] of Object.entries(item)) total += utf8(name) + valueBytes(value)
  return total
}

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8')

function numberBytes(text: string): number {
  const [mantissa = ''] = text.toLowerCase().split('e')
  const significant = mantissa.replace(/[-+.]/g, '').replace(/^0+/, '').replace(/0+$/, '')
  return Math.ceil(Math.max(1, significant.length) / 2) + 1
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S)
  if (value.N !== undefined) return numberBytes(value.N)
  if (value.B !== undefined) return value.B.byteLength
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0)
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0)
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0)
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0)
  if (value.M !== undefined) {
    return 3 + Object.entries(value.M).reduce((sum, [name, v]) => sum + 1 + utf8(name) + valueBytes(v), 0)
  }
  throw new Error(`Unknown attribute value ${JSON.stringify(value)}`)
}

export interface ItemSizeRow {
  /** Bytes of JSON the handler returned. */
  readonly responseBytes: number
  readonly itemBytes: Record<Side, number>
}

/** Completes one request per library and response size, then reads back the record it left and sizes it. */
export async function measureItemSizes(
  config: DynamoDBClientConfig,
  tables: BenchTables,
  responseSizes: readonly number[],
): Promise<ItemSizeRow[]> {
  const rows: ItemSizeRow[] = []
  for (const targetBytes of responseSizes) {
    const response = orderHistory(targetBytes)
    const sizes = {} as Record<Side, number>
    for (const side of SIDES) {
      const tableName = tables.idempotency[side]
      const wrapWith = (client: DynamoDBClient) => wrap(side, async () => response, { client, tableName })
      const event = withKey(orderEvent(1024), randomUUID())
      sizes[side] = itemBytes(await recordLeftBy(config, tableName, wrapWith, event))
    }
    rows.push({ responseBytes: Buffer.byteLength(JSON.stringify(response)), itemBytes: sizes })
  }
  return rows
}

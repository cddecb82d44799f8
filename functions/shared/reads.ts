import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb'

/** An item as lib-dynamodb hands it back: plain JavaScript values (strings, numbers, ...), not attribute values. */
export type Item = Record<string, unknown>

/** One item by its string partition key, strongly consistent: a request must see the write it follows. */
export async function getItem(
  client: DynamoDBDocumentClient,
  tableName: string,
  keyName: string,
  keyValue: string,
): Promise<Item | undefined> {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: { [keyName]: keyValue }, ConsistentRead: true }),
  )
  return Item
}

/**
 * Every item of a small table, page by page, strongly consistent. For the local API's inspection routes and its
 * outbox poller, never for request paths: a scan reads the whole table.
 */
export async function scanAll(client: DynamoDBDocumentClient, tableName: string): Promise<Item[]> {
  const items: Item[] = []
  let ExclusiveStartKey: Item | undefined
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey, ConsistentRead: true }),
    )
    items.push(...(page.Items ?? []))
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey !== undefined)
  return items
}

/**
 * Read leniently, as the sample always has: a member of another type (or none) reads as empty, so one odd item
 * makes one odd row, never a failed listing.
 */
export const text = (value: unknown): string => (typeof value === 'string' ? value : '')
export const optionalText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined
/** NaN for a missing or non-numeric member, as `Number(undefined)` was. */
export const numeric = (value: unknown): number => (typeof value === 'number' ? value : Number.NaN)

import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb'

type Item = Record<string, AttributeValue>

/** One item by its string partition key, strongly consistent: a request must see the write it follows. */
export async function getItem(
  client: DynamoDBClient,
  tableName: string,
  keyName: string,
  keyValue: string,
): Promise<Item | undefined> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { [keyName]: { S: keyValue } }, ConsistentRead: true }),
  )
  return Item
}

/**
 * Every item of a small table, page by page, strongly consistent. For the local API's inspection routes and its
 * outbox poller, never for request paths: a scan reads the whole table.
 */
export async function scanAll(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = []
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey, ConsistentRead: true }),
    )
    items.push(...(page.Items ?? []))
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey !== undefined)
  return items
}

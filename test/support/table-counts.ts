import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { IDEMPOTENCY_PARTITION_KEY } from '../../lib/dynamodb/schema.js'

/** A table, or only the idempotency records of one operation (other functions may share the table). */
export type Counted = string | { readonly tableName: string; readonly recordKeyPrefix: string }

/** Item counts of each table, read strongly consistent: "nothing stored" means these did not move. */
export async function tableCounts(client: DynamoDBClient, tables: readonly Counted[]): Promise<number[]> {
  return Promise.all(
    tables.map(async (table) => {
      const [TableName, prefix] =
        typeof table === 'string' ? [table] : [table.tableName, table.recordKeyPrefix]
      const filter =
        prefix === undefined
          ? {}
          : {
              FilterExpression: 'begins_with(#id, :prefix)',
              ExpressionAttributeNames: { '#id': IDEMPOTENCY_PARTITION_KEY },
              ExpressionAttributeValues: { ':prefix': { S: prefix } },
            }
      let count = 0
      let ExclusiveStartKey: Record<string, AttributeValue> | undefined
      do {
        const page = await client.send(
          new ScanCommand({ TableName, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey, ...filter }),
        )
        count += page.Count ?? 0
        ExclusiveStartKey = page.LastEvaluatedKey
      } while (ExclusiveStartKey !== undefined)
      return count
    }),
  )
}

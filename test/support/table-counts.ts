import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'

/** Item counts of each table, read strongly consistent: "nothing stored" means these did not move. */
export async function tableCounts(client: DynamoDBClient, tableNames: readonly string[]): Promise<number[]> {
  return Promise.all(
    tableNames.map(async (TableName) => {
      let count = 0
      let ExclusiveStartKey: Record<string, never> | undefined
      do {
        const page = await client.send(
          new ScanCommand({ TableName, Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey }),
        )
        count += page.Count ?? 0
        ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined
      } while (ExclusiveStartKey !== undefined)
      return count
    }),
  )
}

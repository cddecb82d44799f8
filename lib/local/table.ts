import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { idempotencyTableDefinition } from '../dynamodb/schema.js'

/**
 * A client for DynamoDB Local: it accepts any region and credentials (its shared database shows every client the
 * same tables), and the SDK insists on some. Never used for anything but a local endpoint.
 */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  })
}

/** Creates the idempotency table at `endpoint`; one that is already there (kept in a database folder) is fine. */
export async function createLocalTable(endpoint: string, tableName: string): Promise<'created' | 'existed'> {
  const client = localClient(endpoint)
  try {
    await client.send(new CreateTableCommand(idempotencyTableDefinition(tableName)))
    return 'created'
  } catch (error) {
    if ((error as Error).name === 'ResourceInUseException') return 'existed'
    throw error
  } finally {
    client.destroy()
  }
}

/** Deletes a table at `endpoint`; one that is already gone is fine. */
export async function deleteLocalTable(endpoint: string, tableName: string): Promise<void> {
  const client = localClient(endpoint)
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }))
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error
  } finally {
    client.destroy()
  }
}

import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { toItem } from '../../lib/dynamodb/item.js'
import { DynamoDBStore, type IdempotencyStore } from '../../lib/index.js'

/**
 * The incumbent's completion and release (REFERENCE.md): unconditional, so a zombie overwrites or deletes the
 * record of the invocation that took over, and with no way to commit the handler's writes alongside. Only here
 * to prove the model's invariants catch what fencing prevents.
 */
export function unfencedStore(client: DynamoDBClient, tableName: string): IdempotencyStore {
  const fenced = new DynamoDBStore({ tableName, client })
  return {
    acquire: (record, nowEpochMs) => fenced.acquire(record, nowEpochMs),
    // Collected, then dropped: the completion below never sends them.
    openOwnWrites: (claim) => fenced.openOwnWrites(claim),
    async complete(record) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: toItem(record) }))
    },
    async release(key) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { id: { S: key } } }))
    },
    get: (key) => fenced.get(key),
    getMany: (keys) => fenced.getMany(keys),
  }
}

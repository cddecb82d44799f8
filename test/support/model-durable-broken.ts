import {
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb'
import { DynamoDBStore, type IdempotencyStore } from '../../lib/index.js'
import { type PostgresPool, PostgresStore } from '../../lib/postgres/index.js'

// Stores with a known flaw, only here to prove the durable model's invariants catch what the real ones prevent.

/**
 * The old completion: fenced by the token alone, so a completion sent again after it landed (its answer lost,
 * and the read-back lost too) passes the fence and applies the handler's own writes a second time.
 */
export function tokenFencedStore(client: DynamoDBClient, tableName: string): IdempotencyStore {
  const fenced = new DynamoDBStore({ tableName, client })
  const store: DynamoDBStore = Object.create(fenced)
  const sent = new Set<string>()
  store.complete = async (record, ownWrites) => {
    // Sent again: the fence would look at the token alone, and find it.
    const again = sent.has(record.token)
    sent.add(record.token)
    const current = again ? await fenced.get(record.key) : undefined
    if (current?.status !== 'COMPLETED' || current.token !== record.token)
      return fenced.complete(record, ownWrites)
    const items: TransactWriteItem[] = (ownWrites as { items?: TransactWriteItem[] } | undefined)?.items ?? []
    if (items.length > 0) await client.send(new TransactWriteItemsCommand({ TransactItems: items }))
  }
  return store
}

/**
 * No rollback at the end of an invocation: a transaction the handler opened stays open across the suspension,
 * idle and holding its locks, while the next invocation opens another.
 */
export function rollbackSkippingStore(pool: PostgresPool, tableName: string): IdempotencyStore {
  const store: PostgresStore = Object.create(new PostgresStore({ pool, tableName }))
  store.discardOwnWrites = async () => undefined
  return store
}

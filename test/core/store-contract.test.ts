import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { DynamoDBStore, InMemoryStore } from '../../lib/index.js'
import type { CollectedWrites, DynamoDBOwnWrites } from '../../lib/store/index.js'
import { describeStoreContract } from '../../lib/testing/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'

const client = testDynamoDBClient()
let tableName: string
let sideTableName: string
beforeAll(async () => {
  ;[tableName, sideTableName] = await Promise.all([
    createIdempotencyTestTable(client),
    createTestTable(client, {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  ])
})
afterAll(() => client.destroy())

describeStoreContract(
  'InMemoryStore',
  () => {
    const store = new InMemoryStore()
    return {
      store,
      ownWrites: {
        write: (ownWrites: CollectedWrites<unknown>, id: string) => ownWrites.add({ id }),
        exists: async (id: string) =>
          store.committedWrites.some((write) => (write as { id?: string }).id === id),
      },
    }
  },
  { describe, it },
)

describeStoreContract(
  'DynamoDBStore on DynamoDB Local',
  () => ({
    store: new DynamoDBStore({ tableName, client }),
    ownWrites: {
      write: (ownWrites: DynamoDBOwnWrites, id: string) =>
        ownWrites.add({ Put: { TableName: sideTableName, Item: { id: { S: id } } } }),
      async exists(id: string) {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: sideTableName, Key: { id: { S: id } }, ConsistentRead: true }),
        )
        return Item !== undefined
      },
    },
  }),
  { describe, it },
)

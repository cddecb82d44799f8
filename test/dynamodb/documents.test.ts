import { randomUUID } from 'node:crypto'
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DocumentWrite, DynamoDBStore, documentWrites } from '../../lib/dynamodb/index.js'
import { idempotencyOf, makeIdempotent } from '../../lib/index.js'
import { describeStoreContract } from '../../lib/testing/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { lambdaContext } from '../support/records.js'

// The code people already have: a DynamoDBDocumentClient, and items as plain JavaScript values.

const client = testDynamoDBClient()
const documents = DynamoDBDocumentClient.from(client)
let tableName: string
let ordersTable: string
beforeAll(async () => {
  ;[tableName, ordersTable] = await Promise.all([
    createIdempotencyTestTable(client),
    createTestTable(client, {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
    }),
  ])
})
afterAll(() => client.destroy())

const orderOf = async (orderId: string) =>
  (await documents.send(new GetCommand({ TableName: ordersTable, Key: { orderId }, ConsistentRead: true })))
    .Item

describeStoreContract(
  'DynamoDBStore on a DynamoDBDocumentClient',
  () => ({
    store: new DynamoDBStore({ tableName, client: documents }),
    ownWrites: {
      write: (ownWrites: { add(...writes: unknown[]): void }, id: string) =>
        ownWrites.add(...documentWrites([{ Put: { TableName: ordersTable, Item: { orderId: id } } }])),
      exists: async (id: string) => (await orderOf(id)) !== undefined,
    },
  }),
  { describe, it },
)

describe('own writes given as plain values with documentWrites', () => {
  it('commits them with the completion through a DocumentClient store, numbers, sets and nesting included', async () => {
    const orderId = randomUUID()
    const handler = makeIdempotent(
      async (_event: object, context: object) => {
        const order = { orderId, amount: 60_000, tags: new Set(['festival']), lines: [{ sku: 'a', qty: 2 }] }
        idempotencyOf(context)?.addToCompletion(
          ...documentWrites([
            {
              Put: {
                TableName: ordersTable,
                Item: order,
                ConditionExpression: 'attribute_not_exists(orderId)',
              },
            },
          ]),
        )
        return { orderId }
      },
      { store: new DynamoDBStore({ tableName, client: documents }), key: () => orderId },
    )

    await handler({}, lambdaContext())

    expect(await orderOf(orderId)).toEqual({
      orderId,
      amount: 60_000,
      tags: new Set(['festival']),
      lines: [{ sku: 'a', qty: 2 }],
    })
  })

  it('marshals every kind of write, and only what it is told: a plain map shaped like { S } stays a map', () => {
    const writes: DocumentWrite[] = [
      { Put: { TableName: 't', Item: { id: 'a', looksMarshalled: { S: 'x' } } } },
      {
        Update: {
          TableName: 't',
          Key: { id: 'a' },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
      { Delete: { TableName: 't', Key: { id: 'b' } } },
      { ConditionCheck: { TableName: 't', Key: { id: 'c' }, ConditionExpression: 'attribute_exists(id)' } },
    ]

    expect(documentWrites(writes)).toEqual([
      { Put: { TableName: 't', Item: { id: { S: 'a' }, looksMarshalled: { M: { S: { S: 'x' } } } } } },
      {
        Update: {
          TableName: 't',
          Key: { id: { S: 'a' } },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        },
      },
      { Delete: { TableName: 't', Key: { id: { S: 'b' } } } },
      {
        ConditionCheck: {
          TableName: 't',
          Key: { id: { S: 'c' } },
          ConditionExpression: 'attribute_exists(id)',
        },
      },
    ])
  })

  it('reads the same record whichever client kind wrote it', async () => {
    const key = `both#${randomUUID()}`
    const viaDocuments = new DynamoDBStore({ tableName, client: documents })
    const viaClient = new DynamoDBStore({ tableName, client })
    const claim = {
      key,
      fingerprint: 'f',
      token: 't',
      status: 'IN_PROGRESS' as const,
      leaseUntilEpochMs: Date.now() + 30_000,
      expiresAtEpochSeconds: Math.floor(Date.now() / 1000) + 60,
    }
    await viaDocuments.acquire(claim, Date.now())
    expect(await viaClient.get(key)).toEqual(claim)
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } } }))
    expect(Item?.status).toEqual({ S: 'IN_PROGRESS' })
  })
})

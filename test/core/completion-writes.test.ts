import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBStore, idempotencyOf, makeIdempotent } from '../../lib/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let store: DynamoDBStore
let ordersTable: string
beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client), client })
  ordersTable = await createTestTable(client, {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
  })
})

const order = async (orderId: string) =>
  (await client.send(new GetItemCommand({ TableName: ordersTable, Key: { orderId: { S: orderId } } }))).Item

describe('handler writes joined to the completion, on DynamoDB Local', () => {
  it('commits the handler item with the completion, and a retry replays without writing it again', async () => {
    const orderId = `o-${Date.now()}-a`
    let runs = 0
    const handler = makeIdempotent(
      async (_event: object, context: object) => {
        runs += 1
        idempotencyOf(context)?.addToCompletion({
          Put: {
            TableName: ordersTable,
            Item: { orderId: { S: orderId } },
            ConditionExpression: 'attribute_not_exists(orderId)',
          },
        })
        return { orderId }
      },
      { store, key: () => orderId },
    )
    await handler({}, lambdaContext())
    await expect(handler({}, lambdaContext())).resolves.toEqual({ orderId })
    expect(runs).toBe(1)
    expect(await order(orderId)).toBeDefined()
  })

  it('gives the key back when the handler writes refuse the transaction, so a retry runs', async () => {
    const orderId = `o-${Date.now()}-b`
    await client.send(new PutItemCommand({ TableName: ordersTable, Item: { orderId: { S: orderId } } }))
    let conflicting = true
    const handler = makeIdempotent(
      async (_event: object, context: object) => {
        const id = conflicting ? orderId : `${orderId}-2`
        idempotencyOf(context)?.addToCompletion({
          Put: {
            TableName: ordersTable,
            Item: { orderId: { S: id } },
            ConditionExpression: 'attribute_not_exists(orderId)',
          },
        })
        return id
      },
      { store, key: () => orderId, logger: { warn: () => undefined } },
    )
    await expect(handler({}, lambdaContext())).rejects.toMatchObject({ name: 'TransactionCanceledException' })
    conflicting = false
    await expect(handler({}, lambdaContext())).resolves.toBe(`${orderId}-2`)
  })
})

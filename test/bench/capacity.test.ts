import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { capacityMeter } from '../../bench/capacity.js'
import { unitsOf } from '../../bench/cost.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'

// The meter behind the cost table: it must size what DynamoDB Local really holds, before and after each call.
describe('the capacity meter of the benchmark', () => {
  const client = testDynamoDBClient()
  const sizer = testDynamoDBClient()
  const meter = capacityMeter(sizer)
  meter.install(client)
  let table = ''

  beforeAll(async () => {
    table = await createIdempotencyTestTable(sizer, 'bench-capacity')
  })
  afterAll(() => {
    client.destroy()
    sizer.destroy()
  })

  const item = (id: string, bytes: number) => ({ id: { S: id }, data: { S: 'x'.repeat(bytes) } })
  const meteredUnits = (input: object) => {
    const metered = meter.of(input)
    if (metered === undefined) throw new Error('the call was not metered')
    return unitsOf([metered])
  }

  it('charges a refused conditional PutItem by the larger item already stored', async () => {
    await client.send(new PutItemCommand({ TableName: table, Item: item('stored', 3000) }))
    const refused = new PutItemCommand({
      TableName: table,
      Item: item('stored', 10),
      ConditionExpression: 'attribute_not_exists(id)',
    })
    await expect(client.send(refused)).rejects.toBeInstanceOf(ConditionalCheckFailedException)
    expect(meter.of(refused.input)?.writes).toEqual([{ beforeBytes: 3012, afterBytes: 3012, sentBytes: 22 }])
    expect(meteredUnits(refused.input)).toEqual({ wru: 3, rru: 0 })
  })

  it('charges each item of a transaction twice, and finds the key of a Put by the table schema', async () => {
    const transaction = new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: item('tx-new', 1500) } },
        {
          Update: {
            TableName: table,
            Key: { id: { S: 'stored' } },
            UpdateExpression: 'SET marked = :yes',
            ExpressionAttributeValues: { ':yes': { BOOL: true } },
          },
        },
      ],
    })
    await client.send(transaction)
    expect(meter.of(transaction.input)?.writes).toEqual([
      { beforeBytes: 0, afterBytes: 1512, sentBytes: 1512 },
      { beforeBytes: 3012, afterBytes: 3019, sentBytes: 0 },
    ])
    expect(meteredUnits(transaction.input)).toEqual({ wru: 2 * 2 + 2 * 3, rru: 0 })
  })

  it('charges each item of a strongly consistent BatchGetItem on its own, missing ones too', async () => {
    const batch = new BatchGetItemCommand({
      RequestItems: {
        [table]: { Keys: [{ id: { S: 'stored' } }, { id: { S: 'absent' } }], ConsistentRead: true },
      },
    })
    await client.send(batch)
    expect(meteredUnits(batch.input)).toEqual({ wru: 0, rru: 2 })
  })

  it('refuses to guess at a call it has no rule for', async () => {
    const query = new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'stored' } },
    })
    await expect(client.send(query)).rejects.toThrow(/cannot size Query/)
  })
})

import { DescribeTableCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, describe, expect, it } from 'vitest'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'

const client = testDynamoDBClient()
afterAll(() => client.destroy())

describe('DynamoDB test helpers', () => {
  it('create ACTIVE idempotency tables whose names never repeat', async () => {
    const names = await Promise.all([createIdempotencyTestTable(client), createIdempotencyTestTable(client)])

    expect(names[0]).not.toBe(names[1])
    for (const TableName of names) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName }))
      expect(Table?.TableStatus).toBe('ACTIVE')
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }])
    }
  })

  it('create any other table under a unique name that starts with the prefix', async () => {
    const name = await createTestTable(
      client,
      {
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      },
      'orders',
    )

    expect(name).toMatch(/^orders-/)
  })
})

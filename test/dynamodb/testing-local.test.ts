import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { makeIdempotent } from '../../lib/index.js'
import { localClient } from '../../lib/local/table.js'
import { createIdempotencyTable, ensureDynamoDBLocal } from '../../lib/testing/index.js'
import { javaPidsOn, waitUntilGone } from '../support/java-processes.js'

async function tableNames(endpoint: string): Promise<string[]> {
  const client = localClient(endpoint)
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? []
  } finally {
    client.destroy()
  }
}

const portOf = (endpoint: string) => Number(new URL(endpoint).port)

describe('the testing helpers on the DynamoDB Local DYNAMODB_ENDPOINT names', () => {
  it('gives each call a table of its own, and a store on it that runs once and replays', async () => {
    const [first, second] = await Promise.all([createIdempotencyTable(), createIdempotencyTable()])
    try {
      expect(first.tableName).not.toBe(second.tableName)
      expect(first.endpoint).toBe(inject('dynamodbEndpoint'))
      expect(first.env).toEqual({
        DYNAMODB_ENDPOINT: first.endpoint,
        IDEMPOTENCY_TABLE_NAME: first.tableName,
      })
      expect(await tableNames(first.endpoint)).toEqual(
        expect.arrayContaining([first.tableName, second.tableName]),
      )
      let runs = 0
      const charge = makeIdempotent(
        async (event: { orderId: string }) => ({ run: ++runs, order: event.orderId }),
        {
          store: first.store(),
          key: (event) => event.orderId,
        },
      )

      const answers = [await charge({ orderId: 'o-1' }, {}), await charge({ orderId: 'o-1' }, {})]

      expect(answers).toEqual([
        { run: 1, order: 'o-1' },
        { run: 1, order: 'o-1' },
      ])
    } finally {
      await Promise.all([first.delete(), second.delete(), first.delete()])
    }
    expect(await tableNames(first.endpoint)).not.toContain(first.tableName)
  })

  it('reuses that DynamoDB Local, and leaves it running when let go of', async () => {
    const dynamodb = await ensureDynamoDBLocal()

    await dynamodb.stop()

    expect(dynamodb).toMatchObject({ endpoint: inject('dynamodbEndpoint'), reused: true })
    expect(await tableNames(dynamodb.endpoint)).toBeInstanceOf(Array)
  })
})

// Each of these starts a JVM, which takes seconds on a busy machine.
describe('the testing helpers without DYNAMODB_ENDPOINT', { timeout: 120_000 }, () => {
  const named = process.env.DYNAMODB_ENDPOINT
  beforeEach(() => {
    delete process.env.DYNAMODB_ENDPOINT
  })
  afterEach(() => {
    process.env.DYNAMODB_ENDPOINT = named
  })

  it('start one DynamoDB Local on 127.0.0.1, shared and named in DYNAMODB_ENDPOINT until the last holder lets go', async () => {
    const [first, second] = await Promise.all([ensureDynamoDBLocal(), ensureDynamoDBLocal()])
    const [javaPid] = javaPidsOn(portOf(first.endpoint))

    expect(first).toMatchObject({ endpoint: second.endpoint, reused: false })
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(first.endpoint).not.toBe(named)
    expect(process.env.DYNAMODB_ENDPOINT).toBe(first.endpoint)
    expect(javaPid).toBeDefined()

    await first.stop()
    await first.stop()
    expect(await tableNames(second.endpoint)).toBeInstanceOf(Array)

    await second.stop()
    expect(await waitUntilGone(javaPid as number, 20_000)).toBe(true)
    expect(process.env.DYNAMODB_ENDPOINT).toBeUndefined()
  })

  it('create a table on a DynamoDB Local started for it, which delete() stops', async () => {
    const table = await createIdempotencyTable({ prefix: 'orders' })
    const [javaPid] = javaPidsOn(portOf(table.endpoint))

    expect(table.tableName).toMatch(/^orders-[0-9a-f-]{36}$/)
    expect(await tableNames(table.endpoint)).toEqual([table.tableName])

    await table.delete()
    expect(await waitUntilGone(javaPid as number, 20_000)).toBe(true)
  })
})

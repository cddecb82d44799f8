import { randomUUID } from 'node:crypto'
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBJobStore } from '../../lib/pipelines/dynamodb/index.js'
import { pipelineJob } from '../../lib/pipelines/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'

/**
 * lib-dynamodb's `DynamoDBDocumentClient.from(client, options)` writes `options` into `client.config`, which every
 * DocumentClient made from that client shares: a store that wraps the caller's client that way resets the
 * caller's own marshalling options, and the caller's next `from` changes how the store reads its records.
 */
let table: string
beforeAll(async () => {
  table = await createIdempotencyTestTable(testDynamoDBClient(), 'job-client')
})

describe("a DynamoDBJobStore on the caller's client", () => {
  it("leaves the marshalling options of the caller's own DocumentClients as they were", async () => {
    const client = testDynamoDBClient()
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    })
    new DynamoDBJobStore({ tableName: table, client })
    const item = { id: `own#${randomUUID()}`, detail: { note: undefined, kept: 1 } }
    await expect(documents.send(new PutCommand({ TableName: table, Item: item }))).resolves.toBeDefined()
  })

  it('reads its runs as plain numbers, whatever DocumentClient the caller makes from the same client later', async () => {
    const client = testDynamoDBClient()
    const job = pipelineJob<{ rows: number }>({
      store: new DynamoDBJobStore({ tableName: table, client }),
      name: `client-${randomUUID()}`,
    })
    DynamoDBDocumentClient.from(client, { unmarshallOptions: { wrapNumbers: true } })
    const first = await job.run({ partition: '2024-01-15' }, async () => ({ rows: 3 }))
    const again = await job.run({ partition: '2024-01-15' }, async () => ({ rows: 99 }))
    expect(first.kind).toBe('ran')
    expect(again).toMatchObject({ kind: 'replayed', summary: { rows: 3 } })
    expect(again.kind === 'replayed' && typeof again.completedAtEpochMs).toBe('number')
  })
})

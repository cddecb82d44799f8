import { randomUUID } from 'node:crypto'
import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBJobStore, putNewerItems, upsertItems } from '../../lib/pipelines/dynamodb/index.js'
import { createIdempotencyTestTable, createPkSkTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { describeRerunScenarios } from './scenarios.js'
import { documentClient, type TotalsRow, totalsFor } from './support.js'

const client = testDynamoDBClient()
const documents = documentClient(client)
let jobsTable: string
let dataTable: string
const key = ['pk', 'sk']

beforeAll(async () => {
  jobsTable = await createIdempotencyTestTable(client, 'jobs')
  dataTable = await createPkSkTestTable(client, 'totals')
})

/** The rows of one date, keyed by (date, currency): a natural key, so writing them again overwrites them. */
type Row = TotalsRow & { readonly pk: string; readonly sk: string; readonly version: number }
const rowsOf =
  (dataSet: string) =>
  (date: string, version = 1): Row[] =>
    totalsFor(date).map((row) => ({ pk: `${dataSet}#${date}`, sk: row.currency, version, ...row }))

async function read(dataSet: string, date: string) {
  const page = await documents.send(
    new QueryCommand({
      TableName: dataTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `${dataSet}#${date}` },
      ConsistentRead: true,
    }),
  )
  return page.Items ?? []
}

function subject(write: (rows: readonly Row[]) => Promise<unknown>) {
  const dataSet = randomUUID()
  return {
    store: new DynamoDBJobStore({ tableName: jobsTable, client }),
    write: async (_run: unknown, _date: string, rows: readonly Row[]) => void (await write(rows)),
    read: (date: string) => read(dataSet, date),
    rowsFor: (date: string) => rowsOf(dataSet)(date),
  }
}

describeRerunScenarios<Row>('upsert by key on DynamoDB', () =>
  subject((rows) => upsertItems(documents, { tableName: dataTable, key }, rows)),
)
describeRerunScenarios<Row>('versioned upsert on DynamoDB', () =>
  subject((rows) =>
    putNewerItems(documents, { tableName: dataTable, key, versionAttribute: 'version' }, rows),
  ),
)

describe('upsert by key and versioned upsert on DynamoDB, a late run against a newer one', () => {
  const versioned = () => ({ tableName: dataTable, key, versionAttribute: 'version' })

  it('shows what versioning prevents: upsert by key lets a late run overwrite the newer rows', async () => {
    const dataSet = randomUUID()
    await upsertItems(documents, { tableName: dataTable, key }, rowsOf(dataSet)('2024-07-01', 2))
    await upsertItems(documents, { tableName: dataTable, key }, rowsOf(dataSet)('2024-07-01', 1))
    expect((await read(dataSet, '2024-07-01')).map((row) => row.version)).toEqual([1, 1, 1, 1])
  })

  it('skips a late run’s older versions, and writes only what is newer', async () => {
    const dataSet = randomUUID()
    const rows = rowsOf(dataSet)
    expect(await putNewerItems(documents, versioned(), rows('2024-07-02', 2))).toEqual({
      written: 4,
      skipped: 0,
    })
    expect(await putNewerItems(documents, versioned(), rows('2024-07-02', 1))).toEqual({
      written: 0,
      skipped: 4,
    })
    const mixed = [...rows('2024-07-02', 3).slice(0, 1), ...rows('2024-07-02', 2).slice(1)]
    expect(await putNewerItems(documents, versioned(), mixed)).toEqual({ written: 1, skipped: 3 })
    expect((await read(dataSet, '2024-07-02')).map((row) => row.version).sort()).toEqual([2, 2, 2, 3])
  })

  it('sends only the highest of two versions of one key, and refuses an item without a numeric version', async () => {
    const rows = rowsOf(randomUUID())
    const [low, high] = [rows('2024-07-03', 1)[0], rows('2024-07-03', 5)[0]] as Row[]
    expect(await putNewerItems(documents, versioned(), [high, low] as Row[])).toEqual({
      written: 1,
      skipped: 0,
    })
    await expect(putNewerItems(documents, versioned(), [{ pk: 'x', sk: 'y', version: '2' }])).rejects.toThrow(
      /must be a number/,
    )
  })
})

import { randomUUID } from 'node:crypto'
import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBJobStore, dynamoDBPartitions, upsertItems } from '../../lib/pipelines/dynamodb/index.js'
import { InMemoryJobStore, pipelineJob } from '../../lib/pipelines/index.js'
import { createIdempotencyTestTable, createPkSkTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { describeRerunScenarios, jobOn } from './scenarios.js'
import { documentClient, type TotalsRow, totalsFor } from './support.js'

const client = testDynamoDBClient()
const documents = documentClient(client)
let jobsTable: string
let dataTable: string

beforeAll(async () => {
  jobsTable = await createIdempotencyTestTable(client, 'jobs')
  dataTable = await createPkSkTestTable(client, 'reports')
})

type Row = TotalsRow & { readonly sk: string }
const rowsFor = (date: string): Row[] => totalsFor(date).map((row) => ({ sk: row.currency, ...row }))

/** A fresh data set per test, so each test's dates are its own. */
function subject(name = `totals-${randomUUID()}`) {
  const totals = dynamoDBPartitions({ client: documents, tableName: dataTable, name })
  return {
    name,
    totals,
    store: new DynamoDBJobStore({ tableName: jobsTable, client }),
    write: async (
      run: Parameters<typeof totals.begin>[0],
      _date: string,
      rows: readonly Row[],
      finish: boolean,
    ) => {
      const writer = await totals.begin(run)
      await writer.write(rows)
      if (finish) writer.publish()
    },
    read: async (date: string) => (await totals.read(date))?.rows ?? [],
    rowsFor,
  }
}

describeRerunScenarios<Row>('partition replace behind a pointer on DynamoDB', () => subject())

/** Every row item of a data set, live or not, with its TTL: what the table holds, not what readers see. */
async function storedRows(name: string, date: string) {
  const runs = await documents.send(
    new QueryCommand({
      TableName: dataTable,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
      ExpressionAttributeValues: { ':pk': `${name}#${date}`, ':run': '#run#' },
    }),
  )
  const rows = []
  for (const marker of runs.Items ?? []) {
    const page = await documents.send(
      new QueryCommand({
        TableName: dataTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `${name}#${date}#${marker.runId}` },
      }),
    )
    rows.push(...(page.Items ?? []).map((row) => ({ runId: marker.runId, expiresAt: row.expiresAt })))
  }
  return rows
}

describe('partition replace behind a pointer on DynamoDB', () => {
  it('expires the rows of superseded and crashed runs once the switch commits, and never the live run’s', async () => {
    const test = subject()
    const { run, passLease } = jobOn(test)
    await run('2024-06-01')
    await run('2024-06-01', { force: true })
    await run('2024-06-01', { crashAfterRows: 3, force: true }).catch(() => undefined)
    passLease()
    const last = await run('2024-06-01', { force: true })
    const live = (await test.totals.read('2024-06-01'))?.runId
    expect(live).toBe(last.runId)
    const stored = await storedRows(test.name, '2024-06-01')
    expect(stored.filter((row) => row.runId === live)).toEqual(
      rowsFor('2024-06-01').map(() => ({ runId: live })),
    )
    // Two superseded runs of 4 rows and a crashed one of 3: each with a TTL about an hour ahead.
    const dead = stored.filter((row) => row.runId !== live)
    expect(dead).toHaveLength(4 + 4 + 3)
    for (const row of dead) expect(row.expiresAt).toBeGreaterThan(Date.now() / 1000 + 3_000)
  })

  it('shows what it prevents: upserting under a new id per run doubles the date’s rows', async () => {
    const pk = `append-${randomUUID()}`
    const append = () =>
      upsertItems(
        documents,
        { tableName: dataTable, key: ['pk', 'sk'] },
        rowsFor('2024-06-02').map((row) => ({ ...row, pk, sk: `${row.currency}#${randomUUID()}` })),
      )
    await append()
    await append()
    const page = await documents.send(
      new QueryCommand({
        TableName: dataTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    )
    expect(page.Items).toHaveLength(2 * rowsFor('2024-06-02').length)
  })

  it('refuses to publish through a job whose store cannot switch the pointer with the run', async () => {
    const totals = dynamoDBPartitions({
      client: documents,
      tableName: dataTable,
      name: `totals-${randomUUID()}`,
    })
    const job = pipelineJob({ store: new InMemoryJobStore(), name: 'totals' })
    const outcome = job.run({ partition: '2024-06-03' }, async (run) => (await totals.begin(run)).publish())
    await expect(outcome).rejects.toThrow(/needs a DynamoDBJobStore/)
  })
})

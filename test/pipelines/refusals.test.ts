import { randomUUID } from 'node:crypto'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isIdempotencyError } from '../../lib/errors.js'
import { DynamoDBJobStore, dynamoDBPartitions } from '../../lib/pipelines/dynamodb/index.js'
import { InMemoryJobStore, type JobStore, pipelineJob } from '../../lib/pipelines/index.js'
import {
  migratePipelineRuns,
  PostgresJobStore,
  postgresJobTransaction,
  replacePartition,
} from '../../lib/pipelines/postgres/index.js'
import { createIdempotencyTestTable, createPkSkTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { createTestSchema, dropTestSchema, testPool } from '../support/postgres.js'
import { documentClient } from './support.js'

const client = testDynamoDBClient()
const documents = documentClient(client)
const pool = testPool()
let schema: string
let jobsTable: string
let dataTable: string

beforeAll(async () => {
  schema = await createTestSchema(pool, 'refusals')
  await migratePipelineRuns(pool, { tableName: `${schema}.pipeline_runs` })
  await pool.query(
    `CREATE TABLE "${schema}".blobs (day date NOT NULL, total bigint NOT NULL, digest bytea NOT NULL)`,
  )
  jobsTable = await createIdempotencyTestTable(client, 'jobs')
  dataTable = await createPkSkTestTable(client, 'reports')
})
afterAll(async () => {
  await dropTestSchema(pool, schema)
  await pool.end()
})

const jobOn = (store: JobStore) => pipelineJob<number>({ store, name: `refusals-${randomUUID()}` })

describe('a run whose own writes are refused commits nothing and gives its partition back', () => {
  it('on PostgreSQL, a statement that failed inside the run’s transaction fails its completion', async () => {
    const job = jobOn(new PostgresJobStore({ pool, tableName: `${schema}.pipeline_runs` }))
    const failing = job.run({ partition: '2024-09-01' }, async (run) => {
      const transaction = postgresJobTransaction(run)
      await replacePartition(transaction, { table: `${schema}.blobs`, partition: { day: '2024-09-01' } }, [
        { total: 1n, digest: Buffer.from('ab') },
      ])
      // The work swallows its own failed statement: the transaction is aborted all the same.
      await transaction.query('SELECT 1 / 0').catch(() => undefined)
      return 1
    })
    await expect(failing).rejects.toMatchObject({ code: '25P02' })
    expect((await pool.query(`SELECT * FROM "${schema}".blobs`)).rowCount).toBe(0)
    expect(await job.run({ partition: '2024-09-01' }, async () => 2)).toMatchObject({
      kind: 'ran',
      reason: 'first',
    })
  })

  it('on PostgreSQL, bigint and bytes go in as their SQL types', async () => {
    const job = jobOn(new PostgresJobStore({ pool, tableName: `${schema}.pipeline_runs` }))
    await job.run({ partition: '2024-09-02' }, async (run) => {
      const row = { total: 9_007_199_254_740_993n, digest: Buffer.from('cafe', 'hex') }
      await replacePartition(
        postgresJobTransaction(run),
        { table: `${schema}.blobs`, partition: { day: '2024-09-02' } },
        [row],
      )
      return 1
    })
    const { rows } = await pool.query(
      `SELECT total::text, encode(digest, 'hex') AS hex FROM "${schema}".blobs`,
    )
    expect(rows).toEqual([{ total: '9007199254740993', hex: 'cafe' }])
  })

  it('on DynamoDB, a pointer moved behind the run’s back cancels its switch and its completion', async () => {
    const store = new DynamoDBJobStore({ tableName: jobsTable, client })
    const name = `totals-${randomUUID()}`
    const totals = dynamoDBPartitions({ client: documents, tableName: dataTable, name })
    const job = jobOn(store)
    const moved = job.run({ partition: '2024-09-03' }, async (run) => {
      const writer = await totals.begin(run)
      await writer.write([{ sk: 'EUR', payments: 1 }])
      // A writer that is not this job switches the pointer after the run read it.
      const pointer = { pk: `${name}#2024-09-03`, sk: '#live', runId: 'someone-else' }
      await documents.send(new PutCommand({ TableName: dataTable, Item: pointer }))
      writer.publish()
      return 1
    })
    await expect(moved).rejects.toMatchObject({ name: 'TransactionCanceledException' })
    expect((await totals.read('2024-09-03'))?.runId).toBe('someone-else')
    expect(await job.run({ partition: '2024-09-03' }, async () => 2)).toMatchObject({
      kind: 'ran',
      reason: 'first',
    })
  })
})

describe('misused or unreachable, a job says so', () => {
  it('refuses run writes where its store joins none, and a PostgreSQL transaction from another store', async () => {
    const memory = new InMemoryJobStore()
    // A store of one's own that joins no writes to its completions.
    const bare: JobStore = {
      claim: (claim, nowEpochMs) => memory.claim(claim, nowEpochMs),
      complete: (claim, summary, nowEpochMs) => memory.complete(claim, summary, nowEpochMs),
      release: (claim) => memory.release(claim),
      get: (key) => memory.get(key),
    }
    await expect(jobOn(bare).run({ partition: 'd' }, async (run) => run.writes())).rejects.toThrow(
      /cannot join/,
    )
    const job = jobOn(new InMemoryJobStore())
    const misused = job.run({ partition: 'd' }, async (run) => {
      postgresJobTransaction(run)
      return 1
    })
    await expect(misused).rejects.toThrow(/needs a PostgresJobStore/)
  })

  it('answers store-unavailable when the store cannot be reached, on DynamoDB and PostgreSQL', async () => {
    const unreachable = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    })
    const dynamodb = jobOn(new DynamoDBJobStore({ tableName: jobsTable, client: unreachable }))
    const broken = {
      query: () => Promise.reject(new Error('connection refused')),
      connect: () => Promise.reject(),
    }
    const postgres = jobOn(new PostgresJobStore({ pool: broken }))
    for (const job of [dynamodb, postgres])
      await expect(job.run({ partition: 'd' }, async () => 1)).rejects.toSatisfy((error) =>
        isIdempotencyError(error, 'store-unavailable'),
      )
  })
})

import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { DynamoDBJobStore, type DynamoDBJobWrites } from '../../lib/pipelines/dynamodb/index.js'
import { InMemoryJobStore } from '../../lib/pipelines/index.js'
import {
  migratePipelineRuns,
  PostgresJobStore,
  type PostgresRunTransaction,
} from '../../lib/pipelines/postgres/index.js'
import type { CollectedWrites } from '../../lib/store/collected-writes.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { createTestSchema, dropTestSchema, testPool } from '../support/postgres.js'
import { type JobStoreHarness, jobStoreCases } from './job-store-contract.js'
import { documentClient } from './support.js'

const client = testDynamoDBClient()
const documents = documentClient(client)
const pool = testPool()
let dynamoTable: string
let schema: string

beforeAll(async () => {
  dynamoTable = await createIdempotencyTestTable(client, 'jobs')
  schema = await createTestSchema(pool, 'jobs')
  await migratePipelineRuns(pool, { tableName: `${schema}.pipeline_runs` })
  await pool.query(`CREATE TABLE "${schema}".side_rows (id text PRIMARY KEY)`)
})
afterAll(async () => {
  await dropTestSchema(pool, schema)
  await pool.end()
})

const memory = new InMemoryJobStore()

const harnesses: [string, () => JobStoreHarness][] = [
  [
    'the in-memory store',
    () => ({
      store: memory,
      writes: {
        write: (writes, id) => (writes as CollectedWrites<unknown>).add(id),
        exists: async (id) => memory.committedWrites.includes(id),
      },
    }),
  ],
  [
    'DynamoDB Local',
    () => ({
      store: new DynamoDBJobStore({ tableName: dynamoTable, client }),
      // A side item on the same table, keyed apart from the run records.
      writes: {
        write: (writes, id) =>
          (writes as DynamoDBJobWrites).add({ Put: { TableName: dynamoTable, Item: { id: `side#${id}` } } }),
        exists: async (id) =>
          (await documents.send(new GetCommand({ TableName: dynamoTable, Key: { id: `side#${id}` } })))
            .Item !== undefined,
      },
    }),
  ],
  [
    'PostgreSQL',
    () => ({
      store: new PostgresJobStore({ pool, tableName: `${schema}.pipeline_runs` }),
      writes: {
        write: async (writes, id) => {
          await (writes as PostgresRunTransaction).query(
            `INSERT INTO "${schema}".side_rows (id) VALUES ($1)`,
            [id],
          )
        },
        exists: async (id) =>
          (await pool.query(`SELECT 1 FROM "${schema}".side_rows WHERE id = $1`, [id])).rowCount === 1,
      },
    }),
  ],
]

describe.each(harnesses)('the job store on %s', (_name, harnessOf) => {
  for (const contractCase of jobStoreCases) it(contractCase.name, () => contractCase.run(harnessOf()))
})

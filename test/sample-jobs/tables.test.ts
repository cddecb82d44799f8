import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, describe, expect, it } from 'vitest'
import { PAYMENTS_BY_DAY_INDEX } from '../../functions/shared/daily-totals-schema.js'
import { ensurePostgresPaymentTables } from '../../functions/shared/postgres-payments.js'
import { ensureDailyTotalsTables } from '../../scripts/local-api/tables.js'
import { testDynamoDBClient, uniqueTableName } from '../support/dynamodb.js'
import { createTestSchema, dropTestSchema, testPool } from '../support/postgres.js'

const client = testDynamoDBClient()
const pool = testPool(2)
const schemas: string[] = []
afterAll(async () => {
  for (const schema of schemas) await dropTestSchema(pool, schema)
  await pool.end()
})

describe('the local API’s tables for the daily totals job', () => {
  it('gives a payments table made before the job its index by day, and starts again over what it made', async () => {
    const tables = { payments: uniqueTableName('old-payments'), reports: uniqueTableName('reports') }
    // The payments table as npm start made it before the job existed, persisted under .local/dynamodb.
    await client.send(
      new CreateTableCommand({
        TableName: tables.payments,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'paymentId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'paymentId', KeyType: 'HASH' }],
      }),
    )
    await ensureDailyTotalsTables(client, tables)
    await ensureDailyTotalsTables(client, tables)
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.payments }))
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([PAYMENTS_BY_DAY_INDEX])
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tables.reports }))
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    })
  })
})

describe('the PostgreSQL payments table for the daily totals job', () => {
  it('adds the UTC day and its index to a payments table made before them, keeping its rows', async () => {
    const schema = await createTestSchema(pool, 'old_payments')
    schemas.push(schema)
    const tables = { idempotency: `${schema}.idempotency_records`, payments: `${schema}.payments` }
    await pool.query(`CREATE TABLE ${tables.payments} (payment_id text PRIMARY KEY, owner text NOT NULL,
  status text NOT NULL, amount bigint NOT NULL, currency text NOT NULL, description text,
  charge_id text NOT NULL, created_at timestamptz NOT NULL)`)
    await pool.query(`INSERT INTO ${tables.payments} VALUES ('p1', 'asha', 'succeeded', 100, 'INR', NULL, 'c1',
  '2024-05-02T01:00:00+05:30')`)
    await ensurePostgresPaymentTables(pool, tables)
    await ensurePostgresPaymentTables(pool, tables)
    const { rows } = await pool.query(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM ${tables.payments}`)
    expect(rows).toEqual([{ day: '2024-05-01' }])
    const indexes = await pool.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE '%by_day'`,
      [schema],
    )
    expect(indexes.rows).toEqual([{ indexname: 'payments_by_day' }])
  })
})

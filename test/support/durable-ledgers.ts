import { randomUUID } from 'node:crypto'
import { GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb'
import pg from 'pg'
import { afterAll, beforeAll, inject } from 'vitest'
import { idempotencyOf } from '../../lib/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from './dynamodb.js'
import { silent } from './events.js'
import {
  createIdempotencyTestTable as createPostgresIdempotencyTable,
  dropTestSchema,
  testPool,
} from './postgres.js'

/** A credit to one fresh account: the event the ledger tests' durable handlers take. */
export interface TopUp {
  readonly account: string
  readonly amount: number
}
export const topUp = (): TopUp => ({ account: randomUUID(), amount: 100 })

/** A day: long enough that no test's execution times out, so only what the test does ends one. */
const ONE_DAY_SECONDS = 86_400

/** The durable options the ledger tests share: one key per account, quiet logs. */
export const durable = {
  key: (event: TopUp) => event.account,
  executionTimeoutSeconds: ONE_DAY_SECONDS,
  logger: silent,
}

/**
 * Where durable handlers in tests make their own writes: a balances table on DynamoDB Local (credited with
 * `ADD`, so a write applied twice shows as a doubled balance) and a ledger table on PostgreSQL (one row per
 * credit, no natural key, so a credit committed twice shows as two rows).
 */
export function dynamoDBBalances() {
  const client = testDynamoDBClient()
  const tables = { idempotency: '', balances: '' }
  beforeAll(async () => {
    ;[tables.idempotency, tables.balances] = await Promise.all([
      createIdempotencyTestTable(client),
      createTestTable(client, {
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'account', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'account', KeyType: 'HASH' }],
      }),
    ])
  })
  afterAll(() => client.destroy())

  const credit = (account: string, amount: number): TransactWriteItem => ({
    Update: {
      TableName: tables.balances,
      Key: { account: { S: account } },
      UpdateExpression: 'ADD balance :amount',
      ExpressionAttributeValues: { ':amount': { N: String(amount) } },
    },
  })

  async function balanceOf(account: string): Promise<number> {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tables.balances,
        Key: { account: { S: account } },
        ConsistentRead: true,
      }),
    )
    return Number(Item?.balance?.N ?? 0)
  }

  /** Credits `account` with the completion, through the handle of the durable handler's own context. */
  function creditWithCompletion(context: object, account: string, amount: number): void {
    const handle = idempotencyOf(context)
    if (handle === undefined) throw new Error('no idempotency handle in the durable handler')
    handle.addToCompletion(credit(account, amount))
  }

  return { client, tables, credit, balanceOf, creditWithCompletion }
}

/**
 * Ledger rows on PostgreSQL, and the sessions a test leaves open in a transaction. The store under test gets a
 * pool of its own (`storePool`), named so that its sessions can be found in pg_stat_activity.
 */
export function postgresLedger() {
  const pool = testPool()
  const setup = { pool, idempotencyTable: '', ledger: '' }
  const storePools: pg.Pool[] = []
  beforeAll(async () => {
    setup.idempotencyTable = await createPostgresIdempotencyTable(pool, 'durable')
    setup.ledger = `${setup.idempotencyTable.split('.')[0]}.ledger`
    await pool.query(
      `CREATE TABLE ${setup.ledger} (id serial PRIMARY KEY, account text NOT NULL, amount int NOT NULL)`,
    )
  })
  afterAll(async () => {
    await Promise.all(storePools.map((storePool) => storePool.end()))
    await dropTestSchema(pool, setup.idempotencyTable)
    await pool.end()
  })

  /** A pool for the store under test, its sessions named `applicationName`. */
  function storePool(applicationName = `store-${randomUUID()}`) {
    const storePool = new pg.Pool({
      connectionString: inject('databaseUrl'),
      application_name: applicationName,
    })
    storePool.on('error', () => undefined)
    storePools.push(storePool)
    return { pool: storePool, applicationName }
  }

  const insert = () => `INSERT INTO ${setup.ledger} (account, amount) VALUES ($1, $2)`

  async function rowsOf(account: string): Promise<number> {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${setup.ledger} WHERE account = $1`, [
      account,
    ])
    return rows[0].n
  }

  /**
   * Sessions of `applicationName` idle inside a transaction, but the session `exceptPid`: what a suspension must
   * never leave behind.
   */
  async function idleInTransaction(applicationName: string, exceptPid = 0): Promise<number> {
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE application_name = $1 AND state LIKE 'idle in transaction%' AND pid <> $2`,
      [applicationName, exceptPid],
    )
    return rows[0].n
  }

  return { setup, storePool, insert, rowsOf, idleInTransaction }
}

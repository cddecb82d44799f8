import { randomUUID } from 'node:crypto'
import { DeleteItemCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'
import pg from 'pg'
import { inject } from 'vitest'
import { DynamoDBStore, type IdempotencyStore, idempotencyOf } from '../../lib/index.js'
import {
  deleteExpiredRecords,
  type PostgresPool,
  PostgresStore,
  postgresTransactionOf,
} from '../../lib/postgres/index.js'
import { idempotencyTableDefinition } from '../../lib/testing/index.js'
import type { dynamoDBBalances, postgresLedger } from './durable-ledgers.js'
import { clientWithFaults } from './faults.js'
import type { DurableBackend } from './model-durable-run.js'
import { faultyPool } from './model-postgres.js'

/** DynamoDB's TTL reads this attribute (epoch seconds): docs/cdk.md. */
const TTL_ATTRIBUTE = 'expiresAt'
const PARTITION_KEY = idempotencyTableDefinition('any').KeySchema?.[0]?.AttributeName as string

/**
 * The store on DynamoDB Local, its client without the SDK's own retries (so every fault reaches the store) and
 * with the run's faults; the own write credits a balance with ADD, counting its credits beside it.
 */
export function dynamoDBDurableBackend(
  balances: ReturnType<typeof dynamoDBBalances>,
  storeOf: (client: DynamoDBClient, tableName: string) => IdempotencyStore = (client, tableName) =>
    new DynamoDBStore({ tableName, client }),
): DurableBackend {
  const { client, tables } = balances
  return {
    commands: ['PutItemCommand', 'UpdateItemCommand', 'TransactWriteItemsCommand', 'DeleteItemCommand'],
    open(hooks) {
      const faulty = clientWithFaults(hooks)
      return { store: storeOf(faulty, tables.idempotency), close: () => faulty.destroy() }
    },
    async credit(context, account, amount) {
      idempotencyOf(context)?.addToCompletion({
        Update: {
          TableName: tables.balances,
          Key: { account: { S: account } },
          UpdateExpression: 'ADD balance :amount, credits :one',
          ExpressionAttributeValues: { ':amount': { N: String(amount) }, ':one': { N: '1' } },
        },
      })
    },
    async credits(account) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tables.balances,
          Key: { account: { S: account } },
          ConsistentRead: true,
        }),
      )
      return { count: Number(Item?.credits?.N ?? 0), total: Number(Item?.balance?.N ?? 0) }
    },
    readRecord: (recordKey) => new DynamoDBStore({ tableName: tables.idempotency, client }).get(recordKey),
    /**
     * DynamoDB's TTL, as a deleter: it deletes an item only while the item is still expired, so a record a claim
     * took over meanwhile stays. The run's record keys stand for the table scan TTL makes.
     */
    async sweep(nowEpochMs, recordKeys) {
      let deleted = 0
      for (const recordKey of recordKeys) {
        const expired = new DeleteItemCommand({
          TableName: tables.idempotency,
          Key: { [PARTITION_KEY]: { S: recordKey } },
          ConditionExpression: '#expiresAt <= :now',
          ExpressionAttributeNames: { '#expiresAt': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(nowEpochMs / 1000)) } },
        })
        deleted += await client.send(expired).then(
          () => 1,
          (error: Error) => {
            if (error.name === 'ConditionalCheckFailedException') return 0
            throw error
          },
        )
      }
      return deleted
    },
    openTransactions: async () => 0,
  }
}

/**
 * The store on PostgreSQL through a pool of its own, named so that its sessions can be found in
 * pg_stat_activity, meeting the run's faults; the own write inserts a ledger row through the handler's
 * transaction; the expiry is `deleteExpiredRecords`, with no clock-skew margin.
 */
export function postgresDurableBackend(
  ledger: ReturnType<typeof postgresLedger>,
  storeOf: (pool: PostgresPool, tableName: string) => IdempotencyStore = (pool, tableName) =>
    new PostgresStore({ pool, tableName }),
) {
  const applicationName = `adversity-durable-${randomUUID()}`
  let named: pg.Pool | undefined
  const table = () => ledger.setup.idempotencyTable
  const storePool = () => {
    if (named !== undefined) return named
    named = new pg.Pool({ connectionString: inject('databaseUrl'), application_name: applicationName })
    named.on('error', () => undefined)
    // A session left in a transaction is ended once counted, under a client nobody gave back: its error is
    // expected, and must not reach the test runner.
    named.on('connect', (client) => client.on('error', () => undefined))
    return named
  }
  const backend: DurableBackend = {
    commands: ['INSERT ON CONFLICT', 'UPDATE', 'DELETE', 'COMMIT'],
    open: (hooks) => ({ store: storeOf(faultyPool(storePool(), hooks), table()), close: () => undefined }),
    async credit(context, account, amount) {
      await postgresTransactionOf(context).query(ledger.insert(), [account, amount])
    },
    async credits(account) {
      const { rows } = await ledger.setup.pool.query(
        `SELECT count(*)::int AS count, coalesce(sum(amount), 0)::int AS total FROM ${ledger.setup.ledger} WHERE account = $1`,
        [account],
      )
      return rows[0]
    },
    readRecord: (recordKey) =>
      new PostgresStore({ pool: ledger.setup.pool, tableName: table() }).get(recordKey),
    sweep: (nowEpochMs) =>
      deleteExpiredRecords(ledger.setup.pool, { tableName: table(), nowEpochMs, clockSkewMarginSeconds: 0 }),
    async openTransactions() {
      const open = await ledger.idleInTransaction(applicationName)
      // Ended, so that the next run neither waits on their locks nor counts them again.
      if (open > 0)
        await ledger.setup.pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = $1 AND state LIKE 'idle in transaction%'`,
          [applicationName],
        )
      return open
    },
  }
  /** A client a transaction left open is never given back: the pool is ended without waiting for it. */
  const close = async () => {
    await Promise.race([named?.end(), new Promise((resolve) => setTimeout(resolve, 2_000))])
  }
  return { backend, close }
}

import { DeleteItemCommand } from '@aws-sdk/client-dynamodb'
import { inject } from 'vitest'
import { IDEMPOTENCY_PARTITION_KEY } from '../../lib/dynamodb/schema.js'
import { DynamoDBStore, type IdempotencyStore } from '../../lib/index.js'
import { PostgresStore } from '../../lib/postgres/index.js'
import { type CliOptions, type CliResult, runCli, startCli } from './cli.js'
import { createIdempotencyTestTable as createDynamoDBTable, testDynamoDBClient } from './dynamodb.js'
import { createIdempotencyTestTable as createPostgresTable, dropTestSchema, testPool } from './postgres.js'

/**
 * The stores the operator CLI reads, for suites that run each command once over all of them: DynamoDB Local and
 * the test run's PostgreSQL. What differs between them (how the CLI is pointed at the store, how it names it)
 * lives here; what differs in a command's answers lives beside its tests, as data per backend.
 */
export interface CliBackend {
  readonly name: 'DynamoDB' | 'PostgreSQL'
  /** `lambda-idempotency <command> <what names the store> --table <table> <args>`. */
  cli(table: string): CliRun
  /** How the CLI names `table` in its `Store` line, its messages and `stats`. */
  describes(table: string): string
  /** A fresh table under a unique name built from `prefix`, with the store that writes it. */
  open(prefix: string): Promise<CliTable>
}

type CliRun = (command: string, args?: readonly string[], options?: CliOptions) => Promise<CliResult>

export interface CliTable {
  readonly table: string
  readonly store: IdempotencyStore
  readonly run: CliRun
  /** As `run`, for a CLI the test talks to while it runs (a prompt). */
  start(command: string, args?: readonly string[]): ReturnType<typeof startCli>
  /** Deletes a record behind the CLI's back, as another operator would. */
  remove(recordKey: string): Promise<void>
  close(): Promise<void>
}

/** The test run's PostgreSQL, as the operator would pass it. */
export const databaseUrl = (): string => inject('databaseUrl')

/** The test server's URL with one part wrong: another port, password or database. */
export function urlWith(change: { port?: number; password?: string; database?: string }): string {
  const url = new URL(databaseUrl())
  if (change.port !== undefined) url.port = String(change.port)
  if (change.password !== undefined) url.password = change.password
  if (change.database !== undefined) url.pathname = `/${change.database}`
  return url.toString()
}

/** `lambda-idempotency <command> --database-url <test server> --table <table> <args>`. */
export const pgCli = (table: string) => postgres.cli(table)

const dynamodb: CliBackend = {
  name: 'DynamoDB',
  // The endpoint comes from DYNAMODB_ENDPOINT, which every run sets (localEnv in cli.ts).
  cli:
    (table) =>
    (command, args = [], options = {}) =>
      runCli([command, '--table', table, ...args], options),
  describes: (table) => `DynamoDB table ${table} at ${inject('dynamodbEndpoint')}`,
  async open(prefix) {
    const client = testDynamoDBClient()
    const table = await createDynamoDBTable(client, prefix)
    return {
      table,
      store: new DynamoDBStore({ tableName: table, client }),
      run: dynamodb.cli(table),
      start: (command, args = []) => startCli([command, '--table', table, ...args]),
      async remove(recordKey) {
        const Key = { [IDEMPOTENCY_PARTITION_KEY]: { S: recordKey } }
        await client.send(new DeleteItemCommand({ TableName: table, Key }))
      },
      close: async () => client.destroy(),
    }
  },
}

const postgres: CliBackend = {
  name: 'PostgreSQL',
  cli:
    (table) =>
    (command, args = [], options = {}) =>
      runCli([command, '--database-url', databaseUrl(), '--table', table, ...args], options),
  describes(table) {
    const url = new URL(databaseUrl())
    const where = `${url.hostname}:${url.port || '5432'}`
    return `PostgreSQL table ${table} in database ${url.pathname.slice(1) || url.username} at ${where}`
  },
  async open(prefix) {
    const pool = testPool(4)
    const table = await createPostgresTable(pool, prefix)
    return {
      table,
      store: new PostgresStore({ pool, tableName: table }),
      run: postgres.cli(table),
      start: (command, args = []) =>
        startCli([command, '--database-url', databaseUrl(), '--table', table, ...args]),
      async remove(recordKey) {
        await pool.query(`DELETE FROM ${table} WHERE key = $1`, [recordKey])
      },
      async close() {
        await dropTestSchema(pool, table)
        await pool.end()
      },
    }
  },
}

/** Both stores for `describe.each(...)('... on %s', (_name, backend) => ...)`: the name reads in the title. */
export const EACH_CLI_BACKEND = [dynamodb, postgres].map((backend) => [backend.name, backend] as const)

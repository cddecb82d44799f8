import { randomUUID } from 'node:crypto'
import {
  type AttributeValue,
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import { paymentsTableDefinition } from '../functions/shared/tables.js'
import { idempotencyTableDefinition } from '../lib/testing/index.js'
import { localDynamoDBClientConfig, startDynamoDBLocal } from '../scripts/dynamodb-local.js'
import type { BenchHandler, Side } from './contenders.js'
import { benchContext, type OrderEvent } from './workload.js'

export type Item = Record<string, AttributeValue>

export interface BenchTables {
  /** Each library's idempotency table, in its own default layout (both key on `id`). */
  readonly idempotency: Record<Side, string>
  /** The handlers' own tables: orders (throughput) and the sample's payments (transactional completion). */
  readonly orders: string
  readonly payments: string
}

/** DYNAMODB_ENDPOINT when set, otherwise an in-memory DynamoDB Local started for this run. */
export async function benchDynamoDB(): Promise<{ config: DynamoDBClientConfig; stop(): Promise<void> }> {
  const existing = process.env.DYNAMODB_ENDPOINT
  if (existing) return { config: localDynamoDBClientConfig(existing), stop: async () => undefined }
  const db = await startDynamoDBLocal({ inMemory: true })
  return { config: localDynamoDBClientConfig(db.endpoint), stop: db.stop }
}

const hashKeyTable = (attribute: string, TableName: string): CreateTableCommandInput => ({
  TableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: attribute, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: attribute, KeyType: 'HASH' }],
})

/** Fresh, uniquely named tables, so runs (and the test that reuses this) never see each other's items. */
export async function createBenchTables(config: DynamoDBClientConfig): Promise<BenchTables> {
  const suffix = randomUUID().slice(0, 8)
  const inputs = {
    ours: idempotencyTableDefinition(`bench-ours-${suffix}`),
    // Powertools' documented table: partition key `id` (string), its default `keyAttr`.
    theirs: hashKeyTable('id', `bench-powertools-${suffix}`),
    orders: hashKeyTable('orderId', `bench-orders-${suffix}`),
    payments: paymentsTableDefinition(`bench-payments-${suffix}`),
  }
  const names = await createTables(config, inputs)
  return {
    idempotency: { ours: names.ours, theirs: names.theirs },
    orders: names.orders,
    payments: names.payments,
  }
}

/** Creates each table, waits until it is ACTIVE, and answers the names under the same keys. */
export async function createTables<TInputs extends Record<string, CreateTableCommandInput>>(
  config: DynamoDBClientConfig,
  inputs: TInputs,
): Promise<{ [K in keyof TInputs]: string }> {
  const client = new DynamoDBClient(config)
  try {
    for (const input of Object.values(inputs)) {
      await client.send(new CreateTableCommand(input))
      await waitUntilTableExists(
        { client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
        { TableName: input.TableName as string },
      )
    }
  } finally {
    client.destroy()
  }
  return Object.fromEntries(
    Object.entries(inputs).map(([key, input]) => [key, input.TableName as string]),
  ) as { [K in keyof TInputs]: string }
}

export interface RecordedCall {
  readonly command: string
  readonly input: Record<string, unknown>
}

/**
 * Counts every `send` on the client with an SDK middleware at the initialize step, which runs once per call
 * (before the SDK's own retries), so a count is what the library asked for. Inputs are kept to find the keys
 * a library wrote under without re-implementing its key derivation.
 */
export function recordCalls(client: DynamoDBClient): { readonly calls: RecordedCall[]; clear(): void } {
  const calls: RecordedCall[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push({
        command: context.commandName?.replace(/Command$/, '') ?? 'unknown',
        input: args.input as Record<string, unknown>,
      })
      return next(args)
    },
    { step: 'initialize', name: 'benchCallRecorder', override: true },
  )
  return { calls, clear: () => calls.splice(0, calls.length) }
}

/** The partition key value of the first PutItem into `tableName` among the recorded calls. */
function keyWritten(calls: readonly RecordedCall[], tableName: string): string {
  const put = calls.find((call) => call.command === 'PutItem' && call.input.TableName === tableName)
  const id = (put?.input.Item as Item | undefined)?.id?.S
  if (id === undefined) throw new Error(`No PutItem into ${tableName} was recorded`)
  return id
}

async function readItem(client: DynamoDBClient, tableName: string, id: string): Promise<Item> {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }),
  )
  if (Item === undefined) throw new Error(`No item ${id} in ${tableName}`)
  return Item
}

/**
 * The record one completed request leaves in DynamoDB, read back as stored: what replays get from a refused
 * acquire, and what the item-size rules apply to. `wrapWith` builds the wrapped handler on the client given.
 */
export async function recordLeftBy(
  config: DynamoDBClientConfig,
  tableName: string,
  wrapWith: (client: DynamoDBClient) => BenchHandler,
  event: OrderEvent,
): Promise<Item> {
  const client = new DynamoDBClient(config)
  const recorded = recordCalls(client)
  try {
    await wrapWith(client)(event, benchContext())
    return await readItem(client, tableName, keyWritten(recorded.calls, tableName))
  } finally {
    client.destroy()
  }
}

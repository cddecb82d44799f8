import { randomUUID } from 'node:crypto'
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import { inject } from 'vitest'
import { idempotencyTableDefinition } from '../../lib/dynamodb/schema.js'
import { localDynamoDBClientConfig } from '../../scripts/dynamodb-local.js'

/** A client for the DynamoDB Local that test/global-setup.ts started (or DYNAMODB_ENDPOINT named). */
export function testDynamoDBClient(): DynamoDBClient {
  return new DynamoDBClient(localDynamoDBClientConfig(inject('dynamodbEndpoint')))
}

/** Test files run in parallel against one database, so no two calls may ever pick the same name. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}-${randomUUID()}`
}

export function createIdempotencyTestTable(client: DynamoDBClient, prefix = 'idem'): Promise<string> {
  return createActiveTable(client, idempotencyTableDefinition(uniqueTableName(prefix)))
}

/** Creates the table under a fresh name built from `prefix` and returns that name once the table is ACTIVE. */
export function createTestTable(
  client: DynamoDBClient,
  input: Omit<CreateTableCommandInput, 'TableName'>,
  prefix = 'test',
): Promise<string> {
  return createActiveTable(client, { ...input, TableName: uniqueTableName(prefix) })
}

/** A table keyed as `dynamoDBPartitions` keys its data by default, and the upsert tests theirs: string `pk`, `sk`. */
export function createPkSkTestTable(client: DynamoDBClient, prefix: string): Promise<string> {
  return createTestTable(
    client,
    {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    },
    prefix,
  )
}

async function createActiveTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<string> {
  const TableName = input.TableName as string
  await client.send(new CreateTableCommand(input))
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName })
  return TableName
}

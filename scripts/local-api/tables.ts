import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import {
  gatewayLedgerTableDefinition,
  type PaymentsTableNames,
  paymentsTableDefinition,
} from '../../functions/shared/tables.js'
import { idempotencyTableDefinition } from '../../lib/schema.js'

export const DEFAULT_LOCAL_TABLES: PaymentsTableNames = {
  idempotency: 'payments-idempotency',
  payments: 'payments',
  gatewayLedger: 'payments-gateway-ledger',
}

/** Creates whichever of the three tables is missing; existing ones (a persisted database) are kept as they are. */
export async function ensureTables(client: DynamoDBClient, tables: PaymentsTableNames): Promise<void> {
  await Promise.all(
    [
      idempotencyTableDefinition(tables.idempotency),
      paymentsTableDefinition(tables.payments),
      gatewayLedgerTableDefinition(tables.gatewayLedger),
    ].map((definition) => ensureTable(client, definition)),
  )
}

async function ensureTable(client: DynamoDBClient, definition: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(definition))
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error
  }
  const TableName = definition.TableName as string
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName })
}

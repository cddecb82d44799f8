import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import {
  bankLedgerTableDefinition,
  fulfilmentsTableDefinition,
  gatewayLedgerTableDefinition,
  outboxTableDefinition,
  type PaymentsTableNames,
  type PayoutTableNames,
  paymentsTableDefinition,
  payoutsTableDefinition,
  type SampleTableNames,
} from '../../functions/shared/tables.js'
import { idempotencyTableDefinition } from '../../lib/dynamodb/schema.js'

export const DEFAULT_LOCAL_TABLES: SampleTableNames = {
  idempotency: 'payments-idempotency',
  payments: 'payments',
  gatewayLedger: 'payments-gateway-ledger',
  outbox: 'payments-outbox',
  fulfilments: 'payments-fulfilments',
}

/** The payout workflow's own tables; its idempotency records share the sample's idempotency table. */
export const DEFAULT_LOCAL_PAYOUT_TABLES: Omit<PayoutTableNames, 'idempotency'> = {
  payouts: 'payouts',
  bankLedger: 'payouts-bank-ledger',
}

/** Creates the payouts table and the bank's ledger when missing. */
export async function ensurePayoutTables(client: DynamoDBClient, tables: PayoutTableNames): Promise<void> {
  await Promise.all(
    [payoutsTableDefinition(tables.payouts), bankLedgerTableDefinition(tables.bankLedger)].map((definition) =>
      ensureTable(client, definition),
    ),
  )
}

/**
 * Creates whichever table is missing; existing ones (a persisted database) are kept as they are. Tests of
 * create-payment alone name no fulfilments table.
 */
export async function ensureTables(
  client: DynamoDBClient,
  tables: PaymentsTableNames & Partial<SampleTableNames>,
): Promise<void> {
  await Promise.all(
    [
      idempotencyTableDefinition(tables.idempotency),
      paymentsTableDefinition(tables.payments),
      gatewayLedgerTableDefinition(tables.gatewayLedger),
      outboxTableDefinition(tables.outbox),
      ...(tables.fulfilments === undefined ? [] : [fulfilmentsTableDefinition(tables.fulfilments)]),
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

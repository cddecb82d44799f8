import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import { DAILY_TOTALS_KEYS } from '../../functions/shared/daily-totals-schema.js'
import {
  bankLedgerTableDefinition,
  dailyTotalsTableDefinition,
  fulfilmentsTableDefinition,
  gatewayLedgerTableDefinition,
  outboxTableDefinition,
  type PaymentsTableNames,
  type PayoutTableNames,
  paymentsByDayIndex,
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

/** The daily totals job's reports table. */
export const DEFAULT_LOCAL_DAILY_TOTALS_TABLE = 'daily-totals'

/**
 * Creates the reports table when missing, with TTL on `expiresAt` (superseded runs' rows expire; DynamoDB Local
 * records the setting but never deletes), and gives a payments table made before the job its index by day.
 */
export async function ensureDailyTotalsTables(
  client: DynamoDBClient,
  tables: { readonly payments: string; readonly reports: string },
): Promise<void> {
  await ensureTable(client, dailyTotalsTableDefinition(tables.reports))
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tables.reports,
        TimeToLiveSpecification: { AttributeName: DAILY_TOTALS_KEYS.ttlAttribute, Enabled: true },
      }),
    )
  } catch (error) {
    // Already enabled, on a persisted table: the only refusal that leaves TTL as the job needs it.
    if (!/already enabled/i.test((error as Error).message)) throw error
  }
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.payments }))
  const index = paymentsByDayIndex()
  if (Table?.GlobalSecondaryIndexes?.some((existing) => existing.IndexName === index.IndexName)) return
  // Payments written before the index have no `day`: they stay out of it, and out of every day's totals.
  await client.send(
    new UpdateTableCommand({
      TableName: tables.payments,
      AttributeDefinitions: paymentsTableDefinition(tables.payments).AttributeDefinitions,
      GlobalSecondaryIndexUpdates: [{ Create: index }],
    }),
  )
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

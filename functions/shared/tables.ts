import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb'
import { IDEMPOTENCY_TABLE_ENV } from '../../lib/dynamodb/schema.js'
import {
  DAILY_TOTALS_KEYS,
  PAYMENT_DAY_ATTRIBUTE,
  PAYMENTS_BY_DAY_INDEX,
  PAYMENTS_BY_DAY_PROJECTION,
  PAYMENTS_BY_DAY_SORT_KEY,
} from './daily-totals-schema.js'

/**
 * The environment the payment functions read. The CDK stack sets the same names, so local and deployed
 * functions are configured identically.
 */
export const PAYMENTS_ENV = {
  idempotencyTable: IDEMPOTENCY_TABLE_ENV,
  paymentsTable: 'PAYMENTS_TABLE_NAME',
  gatewayLedgerTable: 'GATEWAY_LEDGER_TABLE_NAME',
  /** Payment events written with the payment; its stream feeds the publisher. */
  outboxTable: 'OUTBOX_TABLE_NAME',
  /** Orders fulfilled by the consumer of payment events. */
  fulfilmentsTable: 'FULFILMENTS_TABLE_NAME',
  /** Where the publisher sends payment events for fulfilment. */
  fulfilmentQueueUrl: 'FULFILMENT_QUEUE_URL',
  /** How long the simulated gateway takes per charge call, in milliseconds. */
  gatewayLatencyMs: 'GATEWAY_LATENCY_MS',
  /** Payouts the durable workflow reserves and records. */
  payoutsTable: 'PAYOUTS_TABLE_NAME',
  /** The simulated bank's ledger of transfers, keyed by the bank's idempotency key. */
  bankLedgerTable: 'BANK_LEDGER_TABLE_NAME',
  /** The durable payout function, with the alias its executions run on (`payout-workflow:live`). */
  payoutFunction: 'PAYOUT_FUNCTION_NAME',
  /** How long the payout workflow waits for the bank to settle a transfer, in seconds. */
  settlementSeconds: 'PAYOUT_SETTLEMENT_SECONDS',
  /** Optional: a DynamoDB endpoint other than the region's own (DynamoDB Local). */
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
} as const

/**
 * The variable's value, or an error naming it. Here, beside the names, rather than with the clients: the
 * publisher reads its queue's URL with it and must not bundle a DynamoDB client.
 */
export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]
  if (!value) throw new Error(`The payment functions need the ${name} environment variable`)
  return value
}

/** Partition key of the payments table; its items also record the owner (the caller's principal). */
export const PAYMENTS_PARTITION_KEY = 'paymentId'
/** Partition key of the simulated gateway's ledger: the idempotency key the gateway dedupes charges on. */
export const GATEWAY_LEDGER_PARTITION_KEY = 'gatewayKey'
/** Partition key of the payouts table: an id derived from the payout's idempotency record. */
export const PAYOUTS_PARTITION_KEY = 'payoutId'
/** Partition key of the simulated bank's ledger: the idempotency key the bank dedupes transfers on. */
export const BANK_LEDGER_PARTITION_KEY = 'bankKey'
/** Partition key of the outbox: the event's stable id, which consumers dedupe on. */
export const OUTBOX_PARTITION_KEY = 'eventId'
/** The outbox's DynamoDB TTL attribute (epoch seconds): events are kept a while after their stream record. */
export const OUTBOX_TTL_ATTRIBUTE = 'expiresAt'
/** Partition key of the fulfilments table: an id derived from the consumer's idempotency record. */
export const FULFILMENTS_PARTITION_KEY = 'fulfilmentId'

/** The tables create-payment writes: the outbox takes the payment's event in the payment's own transaction. */
export interface PaymentsTableNames {
  readonly idempotency: string
  readonly payments: string
  readonly gatewayLedger: string
  readonly outbox: string
}

/** Every table of the sample: create-payment's, plus the fulfilments its events lead to. */
export interface SampleTableNames extends PaymentsTableNames {
  readonly fulfilments: string
}

/** The tables the payout workflow writes: its idempotency records, its payouts and the bank's ledger. */
export interface PayoutTableNames {
  readonly idempotency: string
  readonly payouts: string
  readonly bankLedger: string
}

/**
 * A CreateTable request for local runs and tests; deployed tables come from the CDK stack. With the index by
 * day the daily totals job queries, projecting only what it reads.
 */
export function paymentsTableDefinition(tableName: string): CreateTableCommandInput {
  const table = stringKeyedTable(tableName, PAYMENTS_PARTITION_KEY)
  return {
    ...table,
    AttributeDefinitions: [
      ...(table.AttributeDefinitions ?? []),
      { AttributeName: PAYMENT_DAY_ATTRIBUTE, AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [paymentsByDayIndex()],
  }
}

/** The index by day alone, for a payments table made before it existed (UpdateTable adds it). */
export function paymentsByDayIndex() {
  return {
    IndexName: PAYMENTS_BY_DAY_INDEX,
    KeySchema: [
      { AttributeName: PAYMENT_DAY_ATTRIBUTE, KeyType: 'HASH' as const },
      { AttributeName: PAYMENTS_BY_DAY_SORT_KEY, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...PAYMENTS_BY_DAY_PROJECTION] },
  }
}

/** The daily totals' reports table: string `pk` and `sk`; TTL on `expiresAt` is enabled after it is made. */
export function dailyTotalsTableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey } = DAILY_TOTALS_KEYS
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' },
      { AttributeName: sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
  }
}

export function gatewayLedgerTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyedTable(tableName, GATEWAY_LEDGER_PARTITION_KEY)
}

/** The outbox streams new items only (NEW_IMAGE): the publisher needs the event, never an earlier version. */
export function outboxTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    ...stringKeyedTable(tableName, OUTBOX_PARTITION_KEY),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  }
}

export function payoutsTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyedTable(tableName, PAYOUTS_PARTITION_KEY)
}

export function bankLedgerTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyedTable(tableName, BANK_LEDGER_PARTITION_KEY)
}

export function fulfilmentsTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyedTable(tableName, FULFILMENTS_PARTITION_KEY)
}

function stringKeyedTable(tableName: string, partitionKey: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
  }
}

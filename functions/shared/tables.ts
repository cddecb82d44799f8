import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb'
import { IDEMPOTENCY_TABLE_ENV } from '../../lib/schema.js'

/**
 * The environment the payment functions read. The CDK stack sets the same names, so local and deployed
 * functions are configured identically.
 */
export const PAYMENTS_ENV = {
  idempotencyTable: IDEMPOTENCY_TABLE_ENV,
  paymentsTable: 'PAYMENTS_TABLE_NAME',
  gatewayLedgerTable: 'GATEWAY_LEDGER_TABLE_NAME',
  /** How long the simulated gateway takes per charge call, in milliseconds. */
  gatewayLatencyMs: 'GATEWAY_LATENCY_MS',
  /** Optional: a DynamoDB endpoint other than the region's own (DynamoDB Local). */
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
} as const

/** Partition key of the payments table; its items also record the owner (the caller's principal). */
export const PAYMENTS_PARTITION_KEY = 'paymentId'
/** Partition key of the simulated gateway's ledger: the idempotency key the gateway dedupes charges on. */
export const GATEWAY_LEDGER_PARTITION_KEY = 'gatewayKey'

export interface PaymentsTableNames {
  readonly idempotency: string
  readonly payments: string
  readonly gatewayLedger: string
}

/** A CreateTable request for local runs and tests; deployed tables come from the CDK stack. */
export function paymentsTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyedTable(tableName, PAYMENTS_PARTITION_KEY)
}

export function gatewayLedgerTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyedTable(tableName, GATEWAY_LEDGER_PARTITION_KEY)
}

function stringKeyedTable(tableName: string, partitionKey: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
  }
}

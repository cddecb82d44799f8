import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createSimulatedGateway, type PaymentGateway } from './gateway.js'
import { PAYMENTS_ENV, type PaymentsTableNames, required, type SampleTableNames } from './tables.js'

/** What create-payment needs; its Lambda entry point builds it from the environment, the local API by hand. */
export interface PaymentsDependencies {
  readonly client: DynamoDBDocumentClient
  readonly tables: PaymentsTableNames
  readonly gateway: PaymentGateway
}

/** What get-payment needs: it reads the payments table and nothing else. */
export interface PaymentReaderDependencies {
  readonly client: DynamoDBDocumentClient
  readonly paymentsTableName: string
}

/** What fulfil-order needs: its idempotency records and the fulfilments it writes with them. */
export interface FulfilmentDependencies {
  readonly client: DynamoDBDocumentClient
  readonly tables: Pick<SampleTableNames, 'idempotency' | 'fulfilments'>
}

/**
 * 50 ms: a real gateway takes a few hundred, but this is enough to leave a window for concurrent duplicates
 * to meet the first request in flight while keeping tests and the demo quick.
 */
export const DEFAULT_GATEWAY_LATENCY_MS = 50

export function dependenciesFromEnvironment(env: NodeJS.ProcessEnv = process.env): PaymentsDependencies {
  const tables: PaymentsTableNames = {
    idempotency: required(env, PAYMENTS_ENV.idempotencyTable),
    payments: required(env, PAYMENTS_ENV.paymentsTable),
    gatewayLedger: required(env, PAYMENTS_ENV.gatewayLedgerTable),
    outbox: required(env, PAYMENTS_ENV.outboxTable),
  }
  const client = clientFromEnvironment(env)
  const gateway = createSimulatedGateway({
    client,
    ledgerTableName: tables.gatewayLedger,
    latencyMs: gatewayLatencyMs(env[PAYMENTS_ENV.gatewayLatencyMs]),
  })
  return { client, tables, gateway }
}

export function readerDependenciesFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): PaymentReaderDependencies {
  return { client: clientFromEnvironment(env), paymentsTableName: required(env, PAYMENTS_ENV.paymentsTable) }
}

export function gatewayLatencyMs(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_GATEWAY_LATENCY_MS
  const latencyMs = Number(value)
  if (!(Number.isInteger(latencyMs) && latencyMs >= 0))
    throw new Error(`${PAYMENTS_ENV.gatewayLatencyMs} must be a whole number of milliseconds, got ${value}`)
  return latencyMs
}

export function fulfilmentDependenciesFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): FulfilmentDependencies {
  return {
    client: clientFromEnvironment(env),
    tables: {
      idempotency: required(env, PAYMENTS_ENV.idempotencyTable),
      fulfilments: required(env, PAYMENTS_ENV.fulfilmentsTable),
    },
  }
}

/**
 * The DocumentClient every sample function reads and writes its own items through, as plain values; the
 * idempotency store takes the same client.
 */
export function clientFromEnvironment(env: NodeJS.ProcessEnv = process.env): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: env[PAYMENTS_ENV.dynamodbEndpoint] || undefined }),
  )
}

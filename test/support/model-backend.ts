import { DynamoDBClient, GetItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { DynamoDBStore, type IdempotencyStore, idempotencyOf } from '../../lib/index.js'
import type { IdempotencyRecord } from '../../lib/store/index.js'
import { localDynamoDBClientConfig } from '../../scripts/dynamodb-local.js'
import { type FaultHooks, injectFaults, instantRetries } from './faults.js'

/** The store under test, its client wired to the run's faults, and how to let go of it afterwards. */
export interface ModelStore {
  readonly store: IdempotencyStore
  close(): Promise<void> | void
}

/** The payment a handler commits with its completion, as the sample's payment is. */
export interface ModelPayment {
  readonly paymentId: string
  readonly chargeId: string
}

/**
 * Where the model keeps its records and payments: DynamoDB (Local) or PostgreSQL. The gateway's ledger stays in
 * DynamoDB either way: it plays a third party, not the store under test.
 */
export interface ModelBackend {
  /** A store whose every call goes through `hooks`: faults injected, attempts reported, gates passed. */
  open(hooks: FaultHooks): ModelStore
  /** The handler's own write, made so it commits with the completion or not at all. */
  writePayment(context: object, payment: ModelPayment): Promise<void> | void
  /** Reads for the checks, without faults. */
  readRecord(recordKey: string): Promise<IdempotencyRecord | undefined>
  paymentCharge(paymentId: string): Promise<string | undefined>
}

/** The SDK's default for DynamoDB is 3 attempts; faults in a row beyond that reach the engine. */
const MAX_ATTEMPTS = 3

export interface DynamoDBModelOptions {
  readonly endpoint: string
  /** A client without faults, for reading the final state. */
  readonly clean: DynamoDBClient
  readonly idempotencyTable: string
  readonly paymentsTable: string
  /** Swaps the store under test, e.g. for a deliberately unfenced one that the invariants must catch. */
  readonly storeOf?: (client: DynamoDBClient, tableName: string) => IdempotencyStore
}

/** DynamoDB Local, with the SDK's own retries and faults injected inside its retry loop. */
export function dynamoDBBackend(options: DynamoDBModelOptions): ModelBackend {
  const { clean, idempotencyTable, paymentsTable } = options
  return {
    open(hooks) {
      const client = new DynamoDBClient({
        ...localDynamoDBClientConfig(options.endpoint),
        maxAttempts: MAX_ATTEMPTS,
        retryStrategy: instantRetries(MAX_ATTEMPTS),
      })
      injectFaults(client, hooks)
      const store =
        options.storeOf?.(client, idempotencyTable) ??
        new DynamoDBStore({ tableName: idempotencyTable, client })
      return { store, close: () => client.destroy() }
    },
    writePayment(context, payment) {
      idempotencyOf(context)?.addToCompletion(paymentPut(paymentsTable, payment))
    },
    readRecord: (recordKey) =>
      new DynamoDBStore({ tableName: idempotencyTable, client: clean }).get(recordKey),
    async paymentCharge(paymentId) {
      const { Item } = await clean.send(
        new GetItemCommand({
          TableName: paymentsTable,
          Key: { paymentId: { S: paymentId } },
          ConsistentRead: true,
        }),
      )
      return Item?.chargeId?.S
    },
  }
}

function paymentPut(tableName: string, { paymentId, chargeId }: ModelPayment): TransactWriteItem {
  return {
    Put: {
      TableName: tableName,
      Item: { paymentId: { S: paymentId }, chargeId: { S: chargeId } },
      ConditionExpression: 'attribute_not_exists(paymentId)',
    },
  }
}

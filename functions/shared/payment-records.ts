import type { Context } from 'aws-lambda'
import { DynamoDBStore, documentWrites } from '../../lib/dynamodb/index.js'
import { type IdempotencyStore, idempotencyOf } from '../../lib/index.js'
import type { PaymentsDependencies } from './environment.js'
import { getPayment, type Payment, paymentCompletionWrites } from './payments.js'

/**
 * Where create-payment keeps its idempotency records and payments, and how a payment joins the completion: in
 * DynamoDB (the deployed sample) or in PostgreSQL (`npm start -- --postgres`). Either way the payment commits
 * in one transaction with the stored answer, or not at all.
 */
export interface PaymentRecords {
  readonly store: IdempotencyStore
  /** The payment stored under this id, or undefined. */
  find(paymentId: string): Promise<Payment | undefined>
  /** Writes the payment so it commits with the completion of the invocation running with `context`. */
  record(payment: Payment, context: Context): Promise<void> | void
}

/**
 * DynamoDB: the payment (and its outbox event) join the completion's TransactWriteItems. They are written as
 * plain values; `documentWrites` marshals them as lib-dynamodb would, and the store shares the DocumentClient.
 */
export function dynamoDBPaymentRecords(
  deps: Pick<PaymentsDependencies, 'client' | 'tables'>,
): PaymentRecords {
  return {
    store: new DynamoDBStore({ tableName: deps.tables.idempotency, client: deps.client }),
    find: (paymentId) => getPayment(deps.client, deps.tables.payments, paymentId),
    record(payment, context) {
      idempotencyOf(context)?.addToCompletion(
        ...documentWrites(paymentCompletionWrites(deps.tables, payment)),
      )
    },
  }
}

import type { AttributeValue, DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { outboxPut, paymentSucceededEvent } from './outbox.js'
import { getItem } from './reads.js'
import { PAYMENTS_PARTITION_KEY, type PaymentsTableNames } from './tables.js'

export interface Payment {
  readonly paymentId: string
  /** The principal that created it; only they can read it. Never part of the public body. */
  readonly owner: string
  readonly status: 'succeeded' | 'declined'
  readonly amount: number
  readonly currency: string
  readonly description?: string
  readonly chargeId: string
  readonly createdAt: string
}

/** The payment as clients see it: everything but the owner. */
export type PaymentView = Omit<Payment, 'owner'>

export function paymentView({ owner: _owner, ...view }: Payment): PaymentView {
  return view
}

/**
 * The writes that join the idempotency completion, committed in one transaction with it: the payment exists
 * exactly when its COMPLETED record does, and so does the `payment-succeeded` event announcing it in the outbox.
 * The event is never published after the write (a crash in between would lose it, a retry double it): the
 * outbox table's stream publishes it once the transaction has committed. A declined payment announces nothing.
 */
export function paymentCompletionWrites(
  tables: Pick<PaymentsTableNames, 'payments' | 'outbox'>,
  payment: Payment,
): TransactWriteItem[] {
  const event =
    payment.status === 'succeeded' ? [outboxPut(tables.outbox, paymentSucceededEvent(payment))] : []
  return [paymentPut(tables.payments, payment), ...event]
}

/** The payment item alone; the paymentId is derived from the idempotency key, so one key makes one payment. */
export function paymentPut(paymentsTableName: string, payment: Payment): TransactWriteItem {
  return {
    Put: {
      TableName: paymentsTableName,
      Item: paymentItem(payment),
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': PAYMENTS_PARTITION_KEY },
    },
  }
}

export async function getPayment(
  client: DynamoDBClient,
  paymentsTableName: string,
  paymentId: string,
): Promise<Payment | undefined> {
  const item = await getItem(client, paymentsTableName, PAYMENTS_PARTITION_KEY, paymentId)
  return item === undefined ? undefined : paymentFromItem(item)
}

function paymentItem(payment: Payment): Record<string, AttributeValue> {
  return {
    [PAYMENTS_PARTITION_KEY]: { S: payment.paymentId },
    owner: { S: payment.owner },
    status: { S: payment.status },
    amount: { N: String(payment.amount) },
    currency: { S: payment.currency },
    ...(payment.description === undefined ? {} : { description: { S: payment.description } }),
    chargeId: { S: payment.chargeId },
    createdAt: { S: payment.createdAt },
  }
}

function paymentFromItem(item: Record<string, AttributeValue>): Payment {
  return {
    paymentId: item[PAYMENTS_PARTITION_KEY]?.S ?? '',
    owner: item.owner?.S ?? '',
    status: item.status?.S === 'declined' ? 'declined' : 'succeeded',
    amount: Number(item.amount?.N),
    currency: item.currency?.S ?? '',
    ...(item.description?.S === undefined ? {} : { description: item.description.S }),
    chargeId: item.chargeId?.S ?? '',
    createdAt: item.createdAt?.S ?? '',
  }
}

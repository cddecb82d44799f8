import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { DocumentWrite } from '../../lib/dynamodb/index.js'
import { PAYMENT_DAY_ATTRIBUTE } from './daily-totals-schema.js'
import { outboxPut, paymentSucceededEvent } from './outbox.js'
import { getItem, type Item, numeric, optionalText, text } from './reads.js'
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
 * Plain values, as lib-dynamodb takes them: `documentWrites` turns them into what `addToCompletion` takes.
 */
export function paymentCompletionWrites(
  tables: Pick<PaymentsTableNames, 'payments' | 'outbox'>,
  payment: Payment,
): DocumentWrite[] {
  const event =
    payment.status === 'succeeded' ? [outboxPut(tables.outbox, paymentSucceededEvent(payment))] : []
  return [paymentPut(tables.payments, payment), ...event]
}

/** The payment item alone; the paymentId is derived from the idempotency key, so one key makes one payment. */
export function paymentPut(paymentsTableName: string, payment: Payment): DocumentWrite {
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
  client: DynamoDBDocumentClient,
  paymentsTableName: string,
  paymentId: string,
): Promise<Payment | undefined> {
  const item = await getItem(client, paymentsTableName, PAYMENTS_PARTITION_KEY, paymentId)
  return item === undefined ? undefined : paymentFromItem(item)
}

function paymentItem(payment: Payment): Item {
  const { paymentId, owner, status, amount, currency, description, chargeId, createdAt } = payment
  return {
    [PAYMENTS_PARTITION_KEY]: paymentId,
    owner,
    status,
    amount,
    currency,
    ...(description === undefined ? {} : { description }),
    chargeId,
    createdAt,
    // The payments' index by day is keyed on it: the daily totals job reads one day, never the whole table.
    [PAYMENT_DAY_ATTRIBUTE]: utcDayOf(createdAt),
  }
}

/** The UTC calendar day (`YYYY-MM-DD`) of an ISO 8601 instant; an instant that does not parse is refused. */
export function utcDayOf(instant: string): string {
  const epochMs = Date.parse(instant)
  if (Number.isNaN(epochMs)) throw new RangeError(`Not an ISO 8601 instant: ${JSON.stringify(instant)}`)
  return new Date(epochMs).toISOString().slice(0, 10)
}

function paymentFromItem(item: Item): Payment {
  const description = optionalText(item.description)
  return {
    paymentId: text(item[PAYMENTS_PARTITION_KEY]),
    owner: text(item.owner),
    status: item.status === 'declined' ? 'declined' : 'succeeded',
    amount: numeric(item.amount),
    currency: text(item.currency),
    ...(description === undefined ? {} : { description }),
    chargeId: text(item.chargeId),
    createdAt: text(item.createdAt),
  }
}

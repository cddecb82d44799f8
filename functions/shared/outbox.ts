import type { DocumentWrite } from '../../lib/dynamodb/index.js'
import type { Payment } from './payments.js'
import type { Item } from './reads.js'
import { OUTBOX_PARTITION_KEY, OUTBOX_TTL_ATTRIBUTE } from './tables.js'

export const PAYMENT_SUCCEEDED = 'payment-succeeded'

/**
 * 7 days: the stream has the event within a second of the write and keeps it 24 h; a week more leaves time to
 * republish by hand after an incident, and TTL then keeps the table small. TTL's REMOVE records are not
 * published (the publisher takes INSERTs only).
 */
const OUTBOX_RETENTION_SECONDS = 7 * 24 * 60 * 60

/** The event announcing a succeeded payment, as consumers receive it (the SQS message body). */
export interface PaymentSucceededEvent {
  readonly eventId: string
  readonly type: typeof PAYMENT_SUCCEEDED
  readonly occurredAt: string
  readonly payment: {
    readonly paymentId: string
    /** The customer (the caller's principal): whom the order is for. */
    readonly owner: string
    readonly amount: number
    readonly currency: string
    readonly description?: string
    readonly chargeId: string
  }
}

/** An outbox item as the publisher reads it from the stream: the id and type to dedupe and route on, and the body. */
export interface OutboxEvent {
  readonly eventId: string
  readonly type: string
  readonly body: string
}

/**
 * Derived from the payment id, itself derived from the idempotency record: every retry and takeover of one
 * request names the same event, so a consumer can tell a repeat from a new payment.
 */
export function paymentEventId(paymentId: string): string {
  return `${PAYMENT_SUCCEEDED}:${paymentId}`
}

export function paymentSucceededEvent(payment: Payment): PaymentSucceededEvent {
  const { paymentId, owner, amount, currency, description, chargeId } = payment
  return {
    eventId: paymentEventId(paymentId),
    type: PAYMENT_SUCCEEDED,
    occurredAt: payment.createdAt,
    payment: {
      paymentId,
      owner,
      amount,
      currency,
      ...(description === undefined ? {} : { description }),
      chargeId,
    },
  }
}

/** The outbox item, for the payment's completion transaction; one event id is written at most once. */
export function outboxPut(outboxTableName: string, event: PaymentSucceededEvent): DocumentWrite {
  const expiresAtEpochSeconds = Math.floor(Date.parse(event.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS
  return {
    Put: {
      TableName: outboxTableName,
      Item: {
        [OUTBOX_PARTITION_KEY]: event.eventId,
        type: event.type,
        body: JSON.stringify(event),
        occurredAt: event.occurredAt,
        [OUTBOX_TTL_ATTRIBUTE]: expiresAtEpochSeconds,
      },
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': OUTBOX_PARTITION_KEY },
    },
  }
}

/**
 * The event in an outbox item (a scanned item, or a stream record's NewImage once unmarshalled); undefined when
 * the item is not an outbox event.
 */
export function outboxEventOf(item: Item | undefined): OutboxEvent | undefined {
  const eventId = item?.[OUTBOX_PARTITION_KEY]
  const type = item?.type
  const body = item?.body
  if (typeof eventId !== 'string' || typeof type !== 'string' || typeof body !== 'string') return undefined
  if (eventId === '' || type === '') return undefined
  return { eventId, type, body }
}

/** The payment event in a message body; undefined for anything else, which a consumer must not guess at. */
export function parsePaymentSucceeded(body: string): PaymentSucceededEvent | undefined {
  let event: Partial<PaymentSucceededEvent>
  try {
    event = JSON.parse(body) as Partial<PaymentSucceededEvent>
  } catch {
    return undefined
  }
  const payment = event?.payment
  const valid =
    event?.type === PAYMENT_SUCCEEDED &&
    typeof event.eventId === 'string' &&
    typeof event.occurredAt === 'string' &&
    typeof payment?.paymentId === 'string' &&
    event.eventId === paymentEventId(payment.paymentId) &&
    typeof payment.owner === 'string'
  return valid ? (event as PaymentSucceededEvent) : undefined
}

import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { DynamoDBStore, idempotency, idempotencyOf } from 'lambda-idempotency'

// The Middy middleware on Middy 6.
interface Order {
  readonly orderId: string
  readonly amount: number
}

export const handler = middy(async (event: Order, context: Context) => {
  const chargeKey = idempotencyOf(context)?.stableKey('charge')
  return { charged: event.amount, chargeKey }
}).use(idempotency({ store: new DynamoDBStore(), key: (event: Order) => event.orderId, namespace: 'orders' }))

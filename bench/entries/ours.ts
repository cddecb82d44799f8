import middy from '@middy/core'
import { DynamoDBStore, idempotency } from '../../lib/index.js'

/** The smallest real use of the toolkit: a Middy handler made idempotent on a DynamoDB table. */
export const handler = middy(async (event: { orderId: string }) => ({ orderId: event.orderId })).use(
  idempotency({
    store: new DynamoDBStore({ tableName: 'idempotency' }),
    key: (event: { orderId: string }) => event.orderId,
  }),
)

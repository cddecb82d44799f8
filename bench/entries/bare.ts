import middy from '@middy/core'

/** The same handler without idempotency: what Middy and the handler weigh on their own. */
export const handler = middy(async (event: { orderId: string }) => ({ orderId: event.orderId }))

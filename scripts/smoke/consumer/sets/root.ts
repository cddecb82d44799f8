import {
  DynamoDBStore,
  type IdempotencyError,
  InMemoryStore,
  idempotencyOf,
  makeIdempotent,
} from 'lambda-idempotency'

// A plain handler, as the README's first example has it: no Middy, no @types/aws-lambda.
interface Order {
  readonly orderId: string
  readonly amount: number
}

export const handler = makeIdempotent(
  async (event: Order, context: { functionName: string }) => {
    const chargeKey = idempotencyOf(context)?.stableKey('charge')
    return { charged: event.amount, chargeKey }
  },
  {
    store: new DynamoDBStore({ tableName: 'idempotency' }),
    key: (event) => event.orderId,
    namespace: 'orders',
  },
)

export const inMemory = makeIdempotent(async (event: Order) => event.amount, {
  store: new InMemoryStore(),
  key: (event) => event.orderId,
})

export const isInProgress = (error: unknown) => (error as Partial<IdempotencyError>).code === 'in-progress'

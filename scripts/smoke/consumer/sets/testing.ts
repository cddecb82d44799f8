import { InMemoryStore, makeIdempotent } from 'lambda-idempotency'
import {
  createIdempotencyTable,
  ensureDynamoDBLocal,
  type IdempotencyTestTable,
  runStoreContract,
} from 'lambda-idempotency/testing'

// A test file's set-up without a test runner's types: a table of its own on DynamoDB Local, and the contract.
export async function setUp(): Promise<IdempotencyTestTable> {
  await ensureDynamoDBLocal()
  const table = await createIdempotencyTable({ prefix: 'orders' })
  const charge = makeIdempotent(async (event: { orderId: string }) => event.orderId, {
    store: table.store(),
    key: (event) => event.orderId,
  })
  await charge({ orderId: 'o-1' }, {})
  return table
}

export const contract = () => runStoreContract(() => ({ store: new InMemoryStore() }))

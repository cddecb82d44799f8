import type { DurableContext } from '@aws/durable-execution-sdk-js'
import { DynamoDBStore } from 'lambda-idempotency'
import {
  type DurableEnvelope,
  executionNameFor,
  LambdaDurableExecutions,
  makeDurableIdempotent,
} from 'lambda-idempotency/durable'

// A durable function as docs/durable.md has it, and the Lambda executions the dispatcher starts.
interface Payout {
  readonly payoutId: string
  readonly amount: number
}

export const handler = makeDurableIdempotent(
  async (event: DurableEnvelope<Payout>, context: DurableContext) => {
    const transfer = await context.step('transfer', async () => ({ id: event.input.payoutId }))
    return { transferId: transfer.id }
  },
  { store: new DynamoDBStore(), executionTimeoutSeconds: 86_400 },
)

export const executions = new LambdaDurableExecutions({ functionName: 'payouts:live' })
export const name = executionNameFor('payouts#key')

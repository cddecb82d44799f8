import type { SQSRecord } from 'aws-lambda'
import { DynamoDBStore } from 'lambda-idempotency'
import { kinesisBatch, makeIdempotentBatchHandler, sqsBatch, sqsBodyKey } from 'lambda-idempotency/events'

// An SQS batch with partial batch responses, as docs/event-sources.md has it.
export const handler = makeIdempotentBatchHandler(
  sqsBatch,
  async (record: SQSRecord) => {
    const { orderId } = JSON.parse(record.body) as { orderId: string }
    return { fulfilled: orderId }
  },
  { store: new DynamoDBStore(), key: sqsBodyKey('orderId'), operation: 'fulfil-order' },
)

export const sources = [sqsBatch.name, kinesisBatch.name]

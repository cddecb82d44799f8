import { Logger } from '@aws-lambda-powertools/logger'
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda'
import { publishOutboxHandler } from './handlers/publish-outbox.js'
import { eventQueueFromEnvironment } from './shared/event-queue.js'

const logger = new Logger({ serviceName: 'publish-outbox' })
const publish = publishOutboxHandler(eventQueueFromEnvironment(), logger)

/**
 * Forwards the outbox table's stream (INSERTs, filtered by the event source mapping too) to the fulfilment
 * queue, reporting unsent records as `batchItemFailures`; the CDK stack sets the queue URL.
 */
export async function handler(event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> {
  logger.addContext(context)
  return publish(event)
}

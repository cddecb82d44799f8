import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import { PAYMENTS_ENV, required } from './tables.js'

/** SQS takes at most 10 messages per SendMessageBatch. */
export const MAX_QUEUE_BATCH = 10

/**
 * Receives before a fulfilment message moves to the dead-letter queue (the deployed redrive policy and the local
 * queue both use it): enough to outlast an invocation holding the event's key and a brief DynamoDB outage; a
 * message failing five times is broken, and a person should look at it.
 */
export const FULFILMENT_MAX_RECEIVE_COUNT = 5

/** One message to send; `id` names it within one `send` call only. */
export interface QueueMessage {
  readonly id: string
  readonly body: string
  /** String message attributes (event id and type), so a consumer can route without parsing the body. */
  readonly attributes: Readonly<Record<string, string>>
}

/** Where the publisher sends events: SQS when deployed, an in-process queue in the local API. */
export interface EventQueue {
  /**
   * Sends up to `MAX_QUEUE_BATCH` messages. Resolves with the ids of those not known to be sent; rejects when the
   * call as a whole failed. Sending again is always safe: consumers dedupe on the event id.
   */
  send(messages: readonly QueueMessage[]): Promise<ReadonlySet<string>>
}

export function sqsEventQueue(client: SQSClient, queueUrl: string): EventQueue {
  return {
    async send(messages) {
      const { Successful = [] } = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map(({ id, body, attributes }) => ({
            Id: id,
            MessageBody: body,
            MessageAttributes: Object.fromEntries(
              Object.entries(attributes).map(([name, value]) => [
                name,
                { DataType: 'String', StringValue: value },
              ]),
            ),
          })),
        }),
      )
      // An entry SQS neither accepted nor refused counts as not sent: resending it costs at most a duplicate.
      const sent = new Set(Successful.map((entry) => entry.Id))
      return new Set(messages.map(({ id }) => id).filter((id) => !sent.has(id)))
    },
  }
}

export function eventQueueFromEnvironment(env: NodeJS.ProcessEnv = process.env): EventQueue {
  return sqsEventQueue(new SQSClient({}), required(env, PAYMENTS_ENV.fulfilmentQueueUrl))
}

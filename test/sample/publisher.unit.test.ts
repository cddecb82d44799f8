import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import { marshall } from '@aws-sdk/util-dynamodb'
import type { DynamoDBRecord } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { describe, expect, it } from 'vitest'
import { publishOutboxHandler } from '../../functions/handlers/publish-outbox.js'
import { sqsEventQueue } from '../../functions/shared/event-queue.js'
import { outboxPut, paymentSucceededEvent } from '../../functions/shared/outbox.js'
import { silent, streamEvent, streamRecord } from '../support/events.js'
import { capturingQueue } from '../support/outbox.js'

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>

/** The stream record of the nth payment's outbox item, built by the code create-payment writes it with. */
function insertOf(n: number, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord {
  const event = paymentSucceededEvent({
    paymentId: `pay_${n}`,
    owner: 'asha',
    status: 'succeeded',
    amount: 100 * n,
    currency: 'INR',
    chargeId: `ch_${n}`,
    createdAt: '2026-11-27T12:00:00.000Z',
  })
  // The stream carries the item marshalled; the outbox holds strings and numbers, which need no base64 step.
  const image = marshall(outboxPut('outbox', event).Put?.Item ?? {}) as Image
  return streamRecord(String(1000 + n), { eventId: { S: event.eventId } }, image, eventName)
}

const sequenceNumbers = (...ns: number[]) => ({
  batchItemFailures: ns.map((n) => ({ itemIdentifier: String(1000 + n) })),
})

describe('publish-outbox, the outbox stream to the fulfilment queue', () => {
  it('sends each INSERT’s event unchanged, with its id and type as attributes, and skips MODIFY and REMOVE', async () => {
    const { queue, sent } = capturingQueue()
    const publish = publishOutboxHandler(queue, silent)
    const records = [insertOf(1), insertOf(2, 'MODIFY'), insertOf(3, 'REMOVE'), insertOf(4)]
    expect(await publish(streamEvent(...records))).toEqual(sequenceNumbers())
    expect(sent.map((message) => JSON.parse(message.body).eventId)).toEqual([
      'payment-succeeded:pay_1',
      'payment-succeeded:pay_4',
    ])
    expect(sent[0]?.body).toBe(records[0]?.dynamodb?.NewImage?.body?.S)
    expect(sent[0]?.messageAttributes).toMatchObject({
      eventId: { stringValue: 'payment-succeeded:pay_1' },
      eventType: { stringValue: 'payment-succeeded' },
    })
  })

  it('reports only the records whose messages the queue refused, by SequenceNumber', async () => {
    const { queue, sent } = capturingQueue((message) => /pay_[25]"/.test(message.body))
    const publish = publishOutboxHandler(queue, silent)
    const answer = await publish(streamEvent(...[1, 2, 3, 4, 5].map((n) => insertOf(n))))
    expect(answer).toEqual(sequenceNumbers(2, 5))
    expect(sent).toHaveLength(3)
  })

  it('reports every record of a call that failed as a whole, and still sends the next ten-message call', async () => {
    const { queue, sent, calls, failWhole } = capturingQueue()
    const publish = publishOutboxHandler(queue, silent)
    failWhole(1)
    const ns = Array.from({ length: 12 }, (_, n) => n + 1)
    const answer = await publish(streamEvent(...ns.map((n) => insertOf(n))))
    expect(calls()).toBe(2)
    expect(answer).toEqual(sequenceNumbers(...ns.slice(0, 10)))
    expect(sent.map((message) => message.messageAttributes.eventId?.stringValue)).toEqual([
      'payment-succeeded:pay_11',
      'payment-succeeded:pay_12',
    ])
  })

  it('reports an INSERT that carries no event: it can never be sent, and belongs on the on-failure destination', async () => {
    const { queue, sent } = capturingQueue()
    const publish = publishOutboxHandler(queue, silent)
    const broken = streamRecord('1001', { eventId: { S: 'e1' } }, { eventId: { S: 'e1' } }, 'INSERT')
    // Not attribute values at all: unmarshalling it fails, and the record is reported like any other.
    const unreadable = { eventId: { Q: 'e3' } } as unknown as Image
    const garbled = streamRecord('1003', { eventId: { S: 'e3' } }, unreadable, 'INSERT')
    expect(await publish(streamEvent(broken, insertOf(2), garbled))).toEqual(sequenceNumbers(1, 3))
    expect(sent).toHaveLength(1)
  })
})

describe('the SQS event queue', () => {
  const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/fulfilment'
  const messages = ['m0', 'm1', 'm2'].map((id) => ({
    id,
    body: `{"eventId":"${id}"}`,
    attributes: { eventId: id, eventType: 'payment-succeeded' },
  }))

  // No SQS runs locally: these answers are SendMessageBatch's documented shapes, served by a mock.
  it('sends one SendMessageBatch with string attributes and returns the ids SQS did not accept', async () => {
    const sqs = mockClient(SQSClient)
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: 'm0', MessageId: 'a', MD5OfMessageBody: 'x' }],
      Failed: [{ Id: 'm1', SenderFault: false, Code: 'InternalError' }],
    })
    const notSent = await sqsEventQueue(new SQSClient({}), QUEUE_URL).send(messages)
    // m2 is in neither list: not known to be sent, so it is reported too (a resend is only a duplicate).
    expect([...notSent]).toEqual(['m1', 'm2'])
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input).toEqual({
      QueueUrl: QUEUE_URL,
      Entries: messages.map(({ id, body }) => ({
        Id: id,
        MessageBody: body,
        MessageAttributes: {
          eventId: { DataType: 'String', StringValue: id },
          eventType: { DataType: 'String', StringValue: 'payment-succeeded' },
        },
      })),
    })
    sqs.restore()
  })

  it('rejects when the call fails as a whole, so the publisher reports all of its records', async () => {
    const sqs = mockClient(SQSClient)
    sqs
      .on(SendMessageBatchCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'RequestThrottled' }))
    await expect(sqsEventQueue(new SQSClient({}), QUEUE_URL).send(messages)).rejects.toThrow('throttled')
    const publish = publishOutboxHandler(sqsEventQueue(new SQSClient({}), QUEUE_URL), silent)
    expect(await publish(streamEvent(insertOf(1), insertOf(2)))).toEqual(sequenceNumbers(1, 2))
    sqs.restore()
  })
})

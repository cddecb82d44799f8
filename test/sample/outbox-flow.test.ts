import { randomUUID } from 'node:crypto'
import type { Context, SQSRecord } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fulfilOrderHandler } from '../../functions/handlers/fulfil-order.js'
import { publishOutboxHandler } from '../../functions/handlers/publish-outbox.js'
import { listFulfilments } from '../../functions/shared/fulfilments.js'
import type { RecordOutcomeKind } from '../../lib/events/index.js'
import { ensureTables } from '../../scripts/local-api/tables.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import { countCommands, silent, sqsEvent, sqsRecord, streamEvent } from '../support/events.js'
import {
  capturingQueue,
  outboxEventsOf,
  paymentsWithPausableGateway,
  sampleTables,
  streamRecordsOf,
} from '../support/outbox.js'
import { lambdaContext } from '../support/records.js'

const db = testDynamoDBClient()
const commands = countCommands(db)
const tables = sampleTables('outbox-flow')
/** Past the consumer's record retention (24 h, the default ttlSeconds). */
const DAY_AND_HOUR_MS = 25 * 60 * 60 * 1000

beforeAll(() => ensureTables(db, tables))
afterAll(() => db.destroy())

/** A paid payment of a fresh shopper, its event as the outbox stream carries it, and the publisher's messages. */
async function paidPayment() {
  const owner = `shopper-${randomUUID()}`
  const created = await paymentsWithPausableGateway(db, tables).pay(owner)
  const [event] = await outboxEventsOf(db, tables.outbox, owner)
  if (event === undefined) throw new Error('create-payment wrote no event')
  const records = await streamRecordsOf(db, tables.outbox, [event.eventId])
  return { owner, paymentId: JSON.parse(created.body ?? '{}').paymentId as string, event, records }
}

/** fulfil-order on DynamoDB Local, remembering each record's outcome; `clockOffsetMs` moves its clock. */
function consumer(clockOffsetMs = 0) {
  const outcomes: RecordOutcomeKind[] = []
  const handler = fulfilOrderHandler(
    { client: db, tables },
    { logger: silent, now: () => Date.now() + clockOffsetMs, onRecord: ({ kind }) => outcomes.push(kind) },
  )
  const deliver = (...records: SQSRecord[]) =>
    handler(sqsEvent(...records), lambdaContext(30_000, 'fulfil-order') as unknown as Context)
  return { deliver, outcomes }
}

const fulfilmentsOf = async (paymentId: string) =>
  (await listFulfilments(db, tables.fulfilments)).filter((f) => f.paymentId === paymentId)
const noFailures = { batchItemFailures: [] }

describe('the outbox path, publisher to fulfil-order, on DynamoDB Local', () => {
  it('fulfils the order once when the stream delivers the event twice and the queue redelivers a message', async () => {
    const { paymentId, event, records, owner } = await paidPayment()
    const { queue, sent } = capturingQueue()
    const publish = publishOutboxHandler(queue, silent)
    // A stream retry: the same record, same eventID and SequenceNumber, in a second invocation.
    expect(await publish(streamEvent(...records))).toEqual(noFailures)
    expect(await publish(streamEvent(...records))).toEqual(noFailures)
    expect(sent.map((message) => message.messageId)).toEqual(['msg-1', 'msg-2'])

    const { deliver, outcomes } = consumer()
    const [first, second] = sent as [SQSRecord, SQSRecord]
    expect(await deliver(first)).toEqual(noFailures)
    expect(await deliver(second)).toEqual(noFailures)
    // SQS redelivers msg-1 after its visibility timeout: the same messageId again.
    expect(await deliver(first)).toEqual(noFailures)

    expect(outcomes).toEqual(['processed', 'duplicate', 'duplicate'])
    expect(await fulfilmentsOf(paymentId)).toEqual([
      {
        fulfilmentId: expect.stringMatching(/^ful_/),
        eventId: event.eventId,
        paymentId,
        owner,
        createdAt: expect.any(String),
      },
    ])
  })

  it('fulfils once when both copies arrive in one batch, reporting neither as failed', async () => {
    const { paymentId, event } = await paidPayment()
    const { deliver, outcomes } = consumer()
    const copies = [sqsRecord(randomUUID(), event), sqsRecord(randomUUID(), event)]
    expect(await deliver(...copies)).toEqual(noFailures)
    expect(outcomes).toEqual(['processed', 'duplicate'])
    expect(await fulfilmentsOf(paymentId)).toHaveLength(1)
  })

  it('fulfils once when two invocations get the copies at the same moment, the loser redelivered later', async () => {
    const { paymentId, event } = await paidPayment()
    const { deliver } = consumer()
    const copies = [sqsRecord(randomUUID(), event), sqsRecord(randomUUID(), event)] as const
    const answers = await Promise.all(copies.map((copy) => deliver(copy)))
    // The loser either saw the winner's completed record (done) or its live lease (reported, for redelivery).
    const reported = answers.flatMap((answer) => answer.batchItemFailures.map((f) => f.itemIdentifier))
    for (const messageId of reported) {
      const copy = copies.find((candidate) => candidate.messageId === messageId) as SQSRecord
      expect(await deliver(copy)).toEqual(noFailures)
    }
    expect(await fulfilmentsOf(paymentId)).toHaveLength(1)
  })

  it('makes no second fulfilment for a copy arriving after the consumer’s record has expired', async () => {
    const { paymentId, event } = await paidPayment()
    await consumer().deliver(sqsRecord(randomUUID(), event))
    const late = consumer(DAY_AND_HOUR_MS)
    // A message redriven from the dead-letter queue a day later: the record is gone, the fulfilment is not.
    expect(await late.deliver(sqsRecord(randomUUID(), event))).toEqual(noFailures)
    expect(late.outcomes).toEqual(['processed'])
    expect(await fulfilmentsOf(paymentId)).toHaveLength(1)
  })

  it('reports a message that is not a payment event, or has no event id, and fulfils nothing for it', async () => {
    const { deliver, outcomes } = consumer()
    const noEventId = sqsRecord(randomUUID(), { type: 'payment-succeeded' })
    const notAnEvent = sqsRecord(randomUUID(), { eventId: `evt-${randomUUID()}`, type: 'refund' })
    expect(await deliver(noEventId, notAnEvent)).toEqual({
      batchItemFailures: [{ itemIdentifier: noEventId.messageId }, { itemIdentifier: notAnEvent.messageId }],
    })
    expect(outcomes).toEqual(['no-key', 'failed'])
  })

  it('costs a new event one read of the batch, a claim, a fulfilment lookup and one transaction; a copy only the read', async () => {
    const { event } = await paidPayment()
    const { deliver } = consumer()
    commands.reset()
    await deliver(sqsRecord(randomUUID(), event))
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 1, GetItem: 1, TransactWriteItems: 1 })
    commands.reset()
    await deliver(sqsRecord(randomUUID(), event))
    expect(commands.counts()).toEqual({ BatchGetItem: 1 })
  })
})

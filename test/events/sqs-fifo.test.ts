import { createHash, randomUUID } from 'node:crypto'
import type { SQSRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { makeIdempotentBatchHandler, type RecordOutcomeKind, sqsBatch } from '../../lib/events/index.js'
import {
  idempotencyStoreOnDynamoDBLocal,
  redelivered,
  silent,
  sqsEvent,
  sqsRecord,
} from '../support/events.js'
import { lambdaContext } from '../support/records.js'

const dynamodb = idempotencyStoreOnDynamoDBLocal()

/** The default `sqsBatch` handler, recording which messages ran and each record's outcome. */
function fifoConsumer() {
  const ran: string[] = []
  const outcomes: RecordOutcomeKind[] = []
  const batch = makeIdempotentBatchHandler(
    sqsBatch,
    async (record: SQSRecord) => {
      ran.push(record.messageId)
    },
    { store: dynamodb.store, logger: silent, onRecord: (outcome) => outcomes.push(outcome.kind) },
  )
  const deliver = async (...records: SQSRecord[]) => {
    outcomes.length = 0
    return batch(sqsEvent(...records), lambdaContext())
  }
  return { ran, outcomes, deliver }
}

const noFailures = { batchItemFailures: [] }

describe('FIFO messages SQS delivers as distinct run once each, on DynamoDB Local', () => {
  it('runs two messages sharing a deduplication id in two message groups, and nothing twice on redelivery', async () => {
    // High-throughput FIFO, DeduplicationScope=messageGroup: one transfer id per account is a fine producer choice.
    const id = randomUUID()
    const deduplicationId = `transfer-${id}`
    const fromA = sqsRecord(`${id}-a`, { account: 'A', amount: 5 }, { groupId: `${id}-A`, deduplicationId })
    const fromB = sqsRecord(`${id}-b`, { account: 'B', amount: 9 }, { groupId: `${id}-B`, deduplicationId })
    const { ran, outcomes, deliver } = fifoConsumer()

    expect(await deliver(fromA, fromB)).toEqual(noFailures)
    expect(ran.toSorted()).toEqual([fromA.messageId, fromB.messageId].toSorted())
    expect(outcomes).toEqual(['processed', 'processed'])

    expect(await deliver(redelivered(fromA), redelivered(fromB))).toEqual(noFailures)
    expect(ran).toHaveLength(2)
    expect(outcomes).toEqual(['duplicate', 'duplicate'])
  })

  it('runs two identical bodies sent outside the deduplication window, and nothing twice on redelivery', async () => {
    // Content-based deduplication: the id is the body's SHA-256, so the same top-up sent twice, more than
    // 5 minutes apart, arrives as two messages with one deduplication id.
    const id = randomUUID()
    const body = JSON.stringify({ wallet: id, topUp: 10 })
    const deduplicationId = createHash('sha256').update(body).digest('hex')
    const first = sqsRecord(`${id}-1`, body, { groupId: id, deduplicationId })
    const second = sqsRecord(`${id}-2`, body, { groupId: id, deduplicationId })
    const { ran, outcomes, deliver } = fifoConsumer()

    expect(await deliver(first)).toEqual(noFailures)
    expect(await deliver(second)).toEqual(noFailures)
    expect(ran).toEqual([first.messageId, second.messageId])
    expect(outcomes).toEqual(['processed'])

    expect(await deliver(redelivered(first), redelivered(second))).toEqual(noFailures)
    expect(ran).toHaveLength(2)
    expect(outcomes).toEqual(['duplicate', 'duplicate'])
  })
})

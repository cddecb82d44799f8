import { randomUUID } from 'node:crypto'
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import type { SQSRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  makeIdempotentBatchHandler,
  type RecordOutcomeKind,
  sqsBatch,
  sqsBodyKey,
} from '../../lib/events/index.js'
import { idempotencyOf } from '../../lib/index.js'
import { createTestTable } from '../support/dynamodb.js'
import { idempotencyStoreOnDynamoDBLocal, silent, sqsEvent, sqsRecord } from '../support/events.js'
import { lambdaContext } from '../support/records.js'

const dynamodb = idempotencyStoreOnDynamoDBLocal()
const { client, commands } = dynamodb

/** Five records with ids unique to the test, so tests sharing the table never see each other's keys. */
function batchOf(count: number, body: (n: number) => unknown = (n) => ({ n })) {
  const prefix = randomUUID()
  return Array.from({ length: count }, (_, n) => sqsRecord(`${prefix}-m${n + 1}`, body(n + 1)))
}

/** A record handler that remembers which records ran, in order. */
function recording(fail: (record: SQSRecord) => boolean = () => false) {
  const ran: string[] = []
  const handler = async (record: SQSRecord) => {
    ran.push(record.messageId)
    if (fail(record)) throw new Error(`cannot process ${record.messageId}`)
    return { done: record.messageId }
  }
  return { ran, handler }
}

const failures = (...records: SQSRecord[]) => ({
  batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
})

describe('an idempotent SQS batch on DynamoDB Local', () => {
  it('processes a new batch with one BatchGetItem, then one claim and one completion per record', async () => {
    const records = batchOf(5)
    const { ran, handler } = recording()
    const batch = makeIdempotentBatchHandler(sqsBatch, handler, { store: dynamodb.store, logger: silent })

    expect(await batch(sqsEvent(...records), lambdaContext())).toEqual(failures())

    // Records without an ordering group run side by side (up to `concurrency`), so only the set is fixed.
    expect(ran.toSorted()).toEqual(records.map((record) => record.messageId).toSorted())
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 5, UpdateItem: 5 })
  })

  it('skips every record of a redelivered batch with one BatchGetItem and no write at all', async () => {
    const records = batchOf(5)
    const { ran, handler } = recording()
    const batch = makeIdempotentBatchHandler(sqsBatch, handler, { store: dynamodb.store, logger: silent })
    await batch(sqsEvent(...records), lambdaContext())
    ran.length = 0
    commands.reset()

    expect(await batch(sqsEvent(...records), lambdaContext())).toEqual(failures())

    expect(ran).toEqual([])
    expect(commands.counts()).toEqual({ BatchGetItem: 1 })
  })

  it('without prefetch pays one refused conditional write per duplicate instead of the read', async () => {
    const records = batchOf(5)
    const { ran, handler } = recording()
    const batch = makeIdempotentBatchHandler(sqsBatch, handler, {
      store: dynamodb.store,
      prefetch: false,
      logger: silent,
    })
    await batch(sqsEvent(...records), lambdaContext())
    ran.length = 0
    commands.reset()

    await batch(sqsEvent(...records), lambdaContext())

    expect(ran).toEqual([])
    expect(commands.counts()).toEqual({ PutItem: 5 })
  })

  it('re-runs only the unfinished records when a batch is redelivered after a crash mid-batch', async () => {
    let nowMs = Date.UTC(2026, 0, 1)
    const records = batchOf(5)
    const ran: string[] = []
    let crashOn: string | undefined = records[2]?.messageId
    let crashed: () => void = () => undefined
    const reachedCrash = new Promise<void>((resolve) => {
      crashed = resolve
    })
    const batch = makeIdempotentBatchHandler(
      sqsBatch,
      async (record: SQSRecord) => {
        ran.push(record.messageId)
        if (record.messageId !== crashOn) return
        crashed()
        // The Lambda dies here: this promise never settles, so the record stays claimed and 4, 5 never start.
        await new Promise(() => undefined)
      },
      { store: dynamodb.store, concurrency: 1, now: () => nowMs, logger: silent },
    )

    void batch(sqsEvent(...records), lambdaContext(5_000))
    await reachedCrash
    crashOn = undefined
    // SQS redelivers after the visibility timeout, past the dead invocation's lease (5 s left + 2 s margin).
    nowMs += 60_000
    ran.length = 0
    commands.reset()

    expect(await batch(sqsEvent(...records), lambdaContext(5_000))).toEqual(failures())

    expect(ran).toEqual(records.slice(2).map((record) => record.messageId))
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 3, UpdateItem: 3 })
  })

  it('reports only the record that failed, and its redelivery runs that record alone', async () => {
    const records = batchOf(3)
    const [, second] = records as [SQSRecord, SQSRecord, SQSRecord]
    let failing = true
    const { ran, handler } = recording((record) => failing && record === second)
    const batch = makeIdempotentBatchHandler(sqsBatch, handler, { store: dynamodb.store, logger: silent })

    expect(await batch(sqsEvent(...records), lambdaContext())).toEqual(failures(second))
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 3, UpdateItem: 2, DeleteItem: 1 })

    failing = false
    ran.length = 0
    expect(await batch(sqsEvent(...records), lambdaContext())).toEqual(failures())
    expect(ran).toEqual([second.messageId])
  })

  it('skips duplicates across batches and within one batch, keyed by a producer key in the body', async () => {
    const orderId = (n: number) => `order-${randomUUID()}-${n}`
    const [o1, o2, o3] = [orderId(1), orderId(2), orderId(3)]
    const handled: string[] = []
    const batch = makeIdempotentBatchHandler(
      sqsBatch,
      async (record: SQSRecord) => {
        handled.push(JSON.parse(record.body).orderId)
      },
      { store: dynamodb.store, key: sqsBodyKey('orderId'), logger: silent },
    )
    await batch(
      sqsEvent(sqsRecord(randomUUID(), { orderId: o1 }), sqsRecord(randomUUID(), { orderId: o2 })),
      lambdaContext(),
    )
    commands.reset()

    // The producer resent o2 (a new messageId) and sent o3 twice.
    const second = sqsEvent(
      sqsRecord(randomUUID(), { orderId: o2 }),
      sqsRecord(randomUUID(), { orderId: o3 }),
      sqsRecord(randomUUID(), { orderId: o3 }),
    )
    expect(await batch(second, lambdaContext())).toEqual(failures())

    expect(handled.toSorted()).toEqual([o1, o2, o3].toSorted())
    // o2 skipped from the read; o3 claimed and completed; its copy runs after it and is refused as done.
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 2, UpdateItem: 1 })
  })

  it('reports a record whose lease another invocation holds, answered from the read without a write', async () => {
    const [shared, other] = batchOf(2) as [SQSRecord, SQSRecord]
    let finishFirst: () => void = () => undefined
    let firstStarted: () => void = () => undefined
    const started = new Promise<void>((resolve) => {
      firstStarted = resolve
    })
    const ran: string[] = []
    const batch = makeIdempotentBatchHandler(
      sqsBatch,
      async (record: SQSRecord) => {
        ran.push(record.messageId)
        if (ran.length > 1) return
        firstStarted()
        await new Promise<void>((resolve) => {
          finishFirst = resolve
        })
      },
      { store: dynamodb.store, logger: silent },
    )
    const first = batch(sqsEvent(shared), lambdaContext())
    await started
    commands.reset()

    // SQS handed the same message to a second poller while the first still processes it.
    expect(await batch(sqsEvent(shared, other), lambdaContext())).toEqual(failures(shared))
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 1, UpdateItem: 1 })

    finishFirst()
    expect(await first).toEqual(failures())
    expect(ran).toEqual([shared.messageId, other.messageId])
  })

  it('reports a record without a key and a producer key reused for another body, running neither', async () => {
    const orderId = `order-${randomUUID()}`
    const outcomes: RecordOutcomeKind[] = []
    const { ran, handler } = recording()
    const batch = makeIdempotentBatchHandler(sqsBatch, handler, {
      store: dynamodb.store,
      key: sqsBodyKey('orderId'),
      logger: silent,
      onRecord: (outcome) => outcomes.push(outcome.kind),
    })
    const original = sqsRecord(randomUUID(), { orderId, amount: 5 })
    await batch(sqsEvent(original), lambdaContext())
    ran.length = 0

    const reused = sqsRecord(randomUUID(), { orderId, amount: 6 })
    const keyless = sqsRecord(randomUUID(), { amount: 7 })
    expect(await batch(sqsEvent(reused, keyless), lambdaContext())).toEqual(failures(reused, keyless))

    expect(ran).toEqual([])
    expect(outcomes).toEqual(['processed', 'mismatch', 'no-key'])
  })

  it("gives each record its own handle: its writes commit in one transaction with that record's completion", async () => {
    const business = await createTestTable(client, {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    })
    const records = batchOf(3)
    const gatewayKeys = new Set<string>()
    const batch = makeIdempotentBatchHandler(
      sqsBatch,
      async (record: SQSRecord, context: object) => {
        const handle = idempotencyOf(context)
        gatewayKeys.add(handle?.stableKey('gateway') ?? 'none')
        handle?.addToCompletion({ Put: { TableName: business, Item: { pk: { S: record.messageId } } } })
      },
      { store: dynamodb.store, logger: silent },
    )
    commands.reset()

    await batch(sqsEvent(...records), lambdaContext())

    expect(gatewayKeys.size).toBe(3)
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 3, TransactWriteItems: 3 })
    for (const record of records) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: business, Key: { pk: { S: record.messageId } } }),
      )
      expect(Item).toBeDefined()
    }
  })
})

describe('an idempotent FIFO batch', () => {
  it('fails the rest of a message group after one of its records fails, and other groups go on', async () => {
    const id = randomUUID()
    const fifo = (name: string, group: string) =>
      sqsRecord(`${id}-${name}`, { name }, { groupId: `${id}-${group}` })
    const [a1, b1, a2, b2, a3] = [
      fifo('a1', 'A'),
      fifo('b1', 'B'),
      fifo('a2', 'A'),
      fifo('b2', 'B'),
      fifo('a3', 'A'),
    ]
    let failing = true
    const { ran, handler } = recording((record) => failing && record === a2)
    const batch = makeIdempotentBatchHandler(sqsBatch, handler, { store: dynamodb.store, logger: silent })

    expect(await batch(sqsEvent(a1, b1, a2, b2, a3), lambdaContext())).toEqual(failures(a2, a3))
    const groupA = new Set([a1, a2, a3].map((record) => record.messageId))
    expect(ran.filter((messageId) => groupA.has(messageId))).toEqual([a1.messageId, a2.messageId])
    expect(ran).toHaveLength(4)

    // SQS returns a2 and a3, in order, once their visibility timeout ends.
    failing = false
    ran.length = 0
    expect(await batch(sqsEvent(a2, a3), lambdaContext())).toEqual(failures())
    expect(ran).toEqual([a2.messageId, a3.messageId])
  })
})

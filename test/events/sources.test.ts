import { randomUUID } from 'node:crypto'
import type { DynamoDBRecord, EventBridgeEvent, MSKRecord, S3EventRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  dynamoDBStreamBatch,
  eventBridgeKey,
  kafkaBatch,
  makeIdempotentBatchHandler,
  s3Batch,
} from '../../lib/events/index.js'
import { makeIdempotent } from '../../lib/index.js'
import {
  eventBridgeEvent,
  idempotencyStoreOnDynamoDBLocal,
  kafkaRecord,
  mskEvent,
  selfManagedKafkaEvent,
  silent,
  streamEvent,
  streamRecord,
} from '../support/events.js'
import { lambdaContext } from '../support/records.js'
import { s3Event, s3Record } from '../support/s3-events.js'

const dynamodb = idempotencyStoreOnDynamoDBLocal()
const { commands } = dynamodb

describe('Kafka (MSK and self-managed) on DynamoDB Local', () => {
  const at = (record: MSKRecord) => `${record.partition}:${record.offset}`

  function kafkaConsumer(fail: (record: MSKRecord) => boolean = () => false) {
    const ran: string[] = []
    const handler = makeIdempotentBatchHandler(
      kafkaBatch,
      async (record: MSKRecord) => {
        ran.push(at(record))
        if (fail(record)) throw new Error(`cannot process ${at(record)}`)
      },
      { store: dynamodb.store, logger: silent },
    )
    return { ran, handler }
  }

  it('runs one offset on two partitions, and skips an offset delivered a second time', async () => {
    const topic = `orders-${randomUUID()}`
    const { ran, handler } = kafkaConsumer()
    await handler(
      mskEvent(kafkaRecord(topic, 0, 5, { n: 1 }), kafkaRecord(topic, 1, 5, { n: 2 })),
      lambdaContext(),
    )
    expect(ran.toSorted()).toEqual(['0:5', '1:5'])
    ran.length = 0
    commands.reset()

    // The consumer crashed before committing offset 5 of partition 0: Lambda delivers it again, with offset 6.
    await handler(
      mskEvent(kafkaRecord(topic, 0, 5, { n: 1 }), kafkaRecord(topic, 0, 6, { n: 3 })),
      lambdaContext(),
    )

    expect(ran).toEqual(['0:6'])
    expect(commands.counts()).toEqual({ BatchGetItem: 1, PutItem: 1, UpdateItem: 1 })
  })

  it('fails a batch with a failed record after finishing other partitions, and the retry runs only the rest', async () => {
    const topic = `orders-${randomUUID()}`
    let failing = true
    const { ran, handler } = kafkaConsumer((record) => failing && at(record) === '0:2')
    const event = mskEvent(
      kafkaRecord(topic, 0, 1, {}),
      kafkaRecord(topic, 0, 2, {}),
      kafkaRecord(topic, 0, 3, {}),
      kafkaRecord(topic, 1, 1, {}),
    )

    await expect(handler(event, lambdaContext())).rejects.toThrow(AggregateError)
    // Offset 3 waits behind offset 2: a partition is processed in order.
    expect(ran.toSorted()).toEqual(['0:1', '0:2', '1:1'])

    failing = false
    ran.length = 0
    await handler(event, lambdaContext())
    expect(ran).toEqual(['0:2', '0:3'])
  })

  it('keys self-managed Kafka records the same way, so a redelivery is skipped', async () => {
    const topic = `orders-${randomUUID()}`
    const { ran, handler } = kafkaConsumer()
    const event = selfManagedKafkaEvent(kafkaRecord(topic, 0, 41, {}), kafkaRecord(topic, 0, 42, {}))
    await handler(event, lambdaContext())
    await handler(event, lambdaContext())
    expect(ran).toEqual(['0:41', '0:42'])
  })
})

describe('DynamoDB Streams on DynamoDB Local', () => {
  it('reports failed changes by sequence number and holds back later changes of the same item', async () => {
    const run = randomUUID()
    const change = (seq: number, item: string) =>
      streamRecord(`${run}-${seq}`, { pk: { S: item } }, { pk: { S: item }, seq: { N: String(seq) } })
    const [a1, b1, a2] = [change(1, 'a'), change(2, 'b'), change(3, 'a')]
    let failing = true
    const ran: string[] = []
    const handler = makeIdempotentBatchHandler(
      dynamoDBStreamBatch,
      async (record: DynamoDBRecord) => {
        ran.push(record.dynamodb?.SequenceNumber ?? '')
        if (failing && record === a1) throw new Error('downstream unavailable')
      },
      { store: dynamodb.store, logger: silent },
    )
    const sequence = (record: DynamoDBRecord) => ({ itemIdentifier: record.dynamodb?.SequenceNumber })

    expect(await handler(streamEvent(a1, b1, a2), lambdaContext())).toEqual({
      batchItemFailures: [sequence(a1), sequence(a2)],
    })
    expect(ran.toSorted()).toEqual([a1, b1].map((record) => record.dynamodb?.SequenceNumber).toSorted())

    // Lambda resumes the shard from the lowest reported sequence number: all three come back.
    failing = false
    ran.length = 0
    expect(await handler(streamEvent(a1, b1, a2), lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(ran).toEqual([a1, a2].map((record) => record.dynamodb?.SequenceNumber))
  })
})

describe('S3 notifications and EventBridge on DynamoDB Local', () => {
  it('skips a duplicate S3 notification and runs a new version of the same object', async () => {
    const bucket = `imports-${randomUUID()}`
    const ran: string[] = []
    const handler = makeIdempotentBatchHandler(
      s3Batch,
      async (record: S3EventRecord) => {
        ran.push(record.s3.object.versionId ?? '')
      },
      { store: dynamodb.store, logger: silent },
    )
    await handler(
      s3Event(s3Record(bucket, 'orders.csv', { sequencer: '0A1', versionId: 'v1' })),
      lambdaContext(),
    )
    await handler(
      s3Event(s3Record(bucket, 'orders.csv', { sequencer: '0A1', versionId: 'v1' })),
      lambdaContext(),
    )
    await handler(
      s3Event(s3Record(bucket, 'orders.csv', { sequencer: '0A2', versionId: 'v2' })),
      lambdaContext(),
    )
    expect(ran).toEqual(['v1', 'v2'])
  })

  it('runs an EventBridge event delivered twice once, and replays its stored result', async () => {
    let runs = 0
    const handler = makeIdempotent(
      async (event: EventBridgeEvent<'OrderPlaced', { orderId: string }>) => {
        runs += 1
        return { fulfilled: event.detail.orderId }
      },
      { store: dynamodb.store, key: eventBridgeKey, payload: (event) => event.detail, logger: silent },
    )
    const event = eventBridgeEvent(randomUUID(), { orderId: 'o-1' })
    expect(await handler(event, lambdaContext())).toEqual({ fulfilled: 'o-1' })
    expect(await handler({ ...event, time: '2026-01-01T00:00:05Z' }, lambdaContext())).toEqual({
      fulfilled: 'o-1',
    })
    expect(runs).toBe(1)
  })
})

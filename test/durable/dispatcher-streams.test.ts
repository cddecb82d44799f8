import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DurableExecutionUnavailableError, makeDurableDispatcher } from '../../lib/durable/index.js'
import { dynamoDBStreamBatch, kafkaBatch, kinesisBatch, kinesisDataKey } from '../../lib/events/index.js'
import { useLocalDurableRunner } from '../support/durable.js'
import { durableOrders, failingStarts } from '../support/durable-orders.js'
import {
  idempotencyStoreOnDynamoDBLocal,
  kafkaRecord,
  mskEvent,
  silent,
  streamEvent,
  streamRecord,
} from '../support/events.js'
import { decodeData, kinesisEvent, kinesisFailures, kinesisStream } from '../support/kinesis-events.js'
import { lambdaContext } from '../support/records.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()
const DELIVERIES = 4

const inputOf = (envelope: unknown) => (envelope as { input: { n?: number; orderId?: string } }).input

const throttled = () => new DurableExecutionUnavailableError('start', new Error('TooManyRequestsException'))

describe('a dispatcher from Kinesis to durable executions', () => {
  it('starts one execution for a record the shard delivers four times', async () => {
    const orders = durableOrders(dynamodb.store)
    const dispatch = makeDurableDispatcher(kinesisBatch, {
      executions: orders.executions,
      namespace: 'orders#kinesis',
      logger: silent,
    })
    const record = kinesisStream().shard(0).put({ orderId: randomUUID() })

    for (let n = 0; n < DELIVERIES; n++)
      expect(await dispatch(kinesisEvent(record), lambdaContext())).toEqual(kinesisFailures())
    await orders.settled()

    expect(orders.executions.list()).toHaveLength(1)
    expect(orders.shipped).toHaveLength(1)
  })

  it('names the record that failed and the rest of its shard, and starts other shards', async () => {
    const orders = durableOrders(dynamodb.store)
    const failed = randomUUID()
    const dispatch = makeDurableDispatcher(kinesisBatch, {
      executions: failingStarts(orders.executions, (input) => inputOf(input).orderId === failed, throttled),
      namespace: 'orders#kinesis',
      key: kinesisDataKey('orderId'),
      input: (record) => decodeData(record),
      logger: silent,
    })
    const stream = kinesisStream()
    const [a, b] = [stream.shard(0), stream.shard(1)]
    const first = a.put({ orderId: randomUUID() })
    const refused = a.put({ orderId: failed })
    const behind = a.put({ orderId: randomUUID() })
    const otherShard = b.put({ orderId: randomUUID() })

    const response = await dispatch(kinesisEvent(first, refused, behind, otherShard), lambdaContext())
    await orders.settled()

    // Lambda resumes the shard from the lowest sequence number named: the refused record, then the one behind it.
    expect(response).toEqual(kinesisFailures(refused, behind))
    expect(orders.shipped).toHaveLength(2)
    expect(orders.shipped).toEqual(expect.arrayContaining([decodeData(first), decodeData(otherShard)]))
  })
})

describe('a dispatcher from DynamoDB Streams to durable executions', () => {
  it('starts one execution per stream record however often it is delivered, and reports by sequence number', async () => {
    const orders = durableOrders(dynamodb.store)
    const failing = 'order-failing'
    const dispatch = makeDurableDispatcher(dynamoDBStreamBatch, {
      executions: failingStarts(
        orders.executions,
        (input) => JSON.stringify(input).includes(failing),
        throttled,
      ),
      namespace: 'orders#stream',
      logger: silent,
    })
    const id = randomUUID()
    const change = streamRecord(
      `${id}-1`,
      { pk: { S: `order-${id}` } },
      { pk: { S: `order-${id}` }, n: { N: '1' } },
    )
    const refused = streamRecord(`${id}-2`, { pk: { S: failing } }, { pk: { S: failing } })

    for (let n = 0; n < DELIVERIES; n++) await dispatch(streamEvent(change), lambdaContext())
    const response = await dispatch(streamEvent(change, refused), lambdaContext())
    await orders.settled()

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: `${id}-2` }] })
    expect(orders.executions.list()).toHaveLength(1)
    expect(orders.shipped).toHaveLength(1)
  })
})

describe('a dispatcher from Kafka to durable executions', () => {
  it('starts one execution per offset, fails the whole batch for a refused start, and skips the rest on retry', async () => {
    const orders = durableOrders(dynamodb.store)
    let throttling = true
    const topic = `orders-${randomUUID()}`
    const dispatch = makeDurableDispatcher(kafkaBatch, {
      executions: failingStarts(
        orders.executions,
        (input) => throttling && inputOf(input).n === 2,
        throttled,
      ),
      namespace: 'orders#kafka',
      input: (record) => JSON.parse(Buffer.from(record.value, 'base64').toString('utf8')),
      logger: silent,
    })
    const records = [1, 2, 3].map((n) => kafkaRecord(topic, 0, n, { n }))

    // Kafka has no partial batch response in every mode: the batch fails and is delivered again whole.
    await expect(dispatch(mskEvent(...records), lambdaContext())).rejects.toThrow(AggregateError)
    throttling = false
    for (let n = 0; n < DELIVERIES; n++) await dispatch(mskEvent(...records), lambdaContext())
    await orders.settled()

    expect(orders.executions.list()).toHaveLength(3)
    expect(orders.shipped).toHaveLength(3)
  })
})

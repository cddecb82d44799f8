import { randomUUID } from 'node:crypto'
import type { SQSRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import {
  DurableExecutionConflictError,
  type DurableExecutions,
  DurableExecutionUnavailableError,
  executionNameFor,
  makeDurableDispatcher,
  scopedRecordKey,
} from '../../lib/durable/index.js'
import { type RecordOutcome, sqsBatch, sqsBodyKey } from '../../lib/events/index.js'
import { useLocalDurableRunner } from '../support/durable.js'
import { durableOrders, failingStarts } from '../support/durable-orders.js'
import {
  idempotencyStoreOnDynamoDBLocal,
  redelivered,
  silent,
  sqsEvent,
  sqsRecord,
} from '../support/events.js'
import { lambdaContext } from '../support/records.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()
const NAMESPACE = 'orders#dispatch'

const order = (orderId: string, amount = 10) => sqsRecord(randomUUID(), { orderId, amount })
const failures = (...records: SQSRecord[]) => ({
  batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
})

function dispatcherFor(executions: DurableExecutions) {
  const outcomes: RecordOutcome<SQSRecord>[] = []
  const dispatch = makeDurableDispatcher(sqsBatch, {
    executions,
    namespace: NAMESPACE,
    key: sqsBodyKey('orderId'),
    input: (record) => JSON.parse(record.body),
    onRecord: (outcome) => outcomes.push(outcome),
    logger: silent,
  })
  return { dispatch, outcomes }
}

describe('a dispatcher from SQS to durable executions', () => {
  it('starts one execution for a record delivered five times, and the work runs once', async () => {
    const orders = durableOrders(dynamodb.store)
    const { dispatch, outcomes } = dispatcherFor(orders.executions)
    const record = sqsRecord(randomUUID(), { orderId: randomUUID(), amount: 10 })

    let delivery = record
    for (let n = 0; n < 5; n++) {
      expect(await dispatch(sqsEvent(delivery), lambdaContext())).toEqual(failures())
      if (n === 2) await orders.settled() // some redeliveries find it running, the rest finished
      delivery = redelivered(delivery)
    }
    await orders.settled()

    expect(orders.executions.list()).toHaveLength(1)
    expect(orders.shipped).toEqual([{ orderId: JSON.parse(record.body).orderId, amount: 10 }])
    expect(outcomes.map((outcome) => outcome.kind)).toEqual([
      'processed',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ])
  })

  it('starts one execution for copies of one record in one batch', async () => {
    const orders = durableOrders(dynamodb.store)
    const { dispatch } = dispatcherFor(orders.executions)
    const orderId = randomUUID()

    await dispatch(sqsEvent(order(orderId), order(orderId), order(orderId)), lambdaContext())
    await orders.settled()

    expect(orders.executions.list()).toHaveLength(1)
    expect(orders.shipped).toHaveLength(1)
  })

  it('names the execution after the scoped, hashed key, and never carries the raw key in the name', async () => {
    const orders = durableOrders(dynamodb.store)
    const { dispatch } = dispatcherFor(orders.executions)
    const orderId = randomUUID()

    await dispatch(sqsEvent(order(orderId, 7)), lambdaContext())
    await orders.settled()

    const [execution] = orders.executions.list()
    const name = executionNameFor(scopedRecordKey(NAMESPACE, orderId))
    expect(execution?.name).toBe(name)
    expect(name).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(name).not.toContain(orderId)
    expect(execution?.input).toEqual({ idempotencyKey: name, input: { orderId, amount: 7 } })
  })

  it('fails only the record that reuses a key with another payload, with a named error', async () => {
    const orders = durableOrders(dynamodb.store)
    const { dispatch, outcomes } = dispatcherFor(orders.executions)
    const reused = randomUUID()
    await dispatch(sqsEvent(order(reused, 10)), lambdaContext())
    outcomes.length = 0

    const conflicting = order(reused, 99)
    const others = [order(randomUUID()), order(randomUUID())]
    const response = await dispatch(
      sqsEvent(others[0] as SQSRecord, conflicting, others[1] as SQSRecord),
      lambdaContext(),
    )
    await orders.settled()

    expect(response).toEqual(failures(conflicting))
    const refused = outcomes.find((outcome) => outcome.record === conflicting)
    expect(refused?.kind).toBe('mismatch')
    expect(refused?.error).toBeInstanceOf(DurableExecutionConflictError)
    expect(orders.shipped).toHaveLength(3)
  })

  it('reports a record whose start Lambda refused, and starts it on the redelivery', async () => {
    const orders = durableOrders(dynamodb.store)
    let throttled = true
    const flaky = failingStarts(
      orders.executions,
      () => throttled,
      () => new DurableExecutionUnavailableError('start', new Error('TooManyRequestsException')),
    )
    const { dispatch } = dispatcherFor(flaky)
    const record = order(randomUUID())

    expect(await dispatch(sqsEvent(record), lambdaContext())).toEqual(failures(record))
    throttled = false
    expect(await dispatch(sqsEvent(redelivered(record)), lambdaContext())).toEqual(failures())
    await orders.settled()

    expect(orders.shipped).toHaveLength(1)
  })

  it('reports a record without a key and starts nothing for it', async () => {
    const orders = durableOrders(dynamodb.store)
    const { dispatch, outcomes } = dispatcherFor(orders.executions)
    const keyless = sqsRecord(randomUUID(), { amount: 10 })

    expect(await dispatch(sqsEvent(keyless), lambdaContext())).toEqual(failures(keyless))
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['no-key'])
    expect(orders.executions.list()).toHaveLength(0)
  })
})

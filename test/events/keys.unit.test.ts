import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  dynamoDBStreamKey,
  eventBridgeKey,
  kafkaRecordKey,
  sqsAttributeKey,
  sqsBodyKey,
  sqsMessageKey,
} from '../../lib/events/index.js'
import { eventBridgeEvent, kafkaRecord, redelivered, sqsRecord, streamRecord } from '../support/events.js'

describe('key helpers per event source', () => {
  it('keys an SQS message by its messageId, which a Lambda redelivery keeps', () => {
    const message = sqsRecord('m-1', { orderId: 'o-1' })
    expect(sqsMessageKey(message)).toBe('m-1')
    expect(sqsMessageKey(redelivered(redelivered(message)))).toBe(sqsMessageKey(message))
    const fifo = sqsRecord('m-2', {}, { groupId: 'g', deduplicationId: 'producer-7' })
    expect(sqsMessageKey(redelivered(fifo))).toBe(sqsMessageKey(fifo))
  })

  it('gives two FIFO messages with one deduplication id in two message groups two keys', () => {
    // High-throughput FIFO (DeduplicationScope=messageGroup) deduplicates per group: SQS delivers both.
    const inA = sqsRecord('m-a', { amount: 5 }, { groupId: 'account-A', deduplicationId: 'transfer-1' })
    const inB = sqsRecord('m-b', { amount: 9 }, { groupId: 'account-B', deduplicationId: 'transfer-1' })
    expect(sqsMessageKey(inA)).not.toBe(sqsMessageKey(inB))
  })

  it('gives two FIFO messages with one content-based deduplication id two keys', () => {
    // Identical bodies sent more than SQS's 5-minute deduplication window apart are two messages to SQS.
    const body = JSON.stringify({ topUp: 10 })
    const deduplicationId = createHash('sha256').update(body).digest('hex')
    const first = sqsRecord('m-1', body, { groupId: 'wallet-1', deduplicationId })
    const second = sqsRecord('m-2', body, { groupId: 'wallet-1', deduplicationId })
    expect(sqsMessageKey(first)).not.toBe(sqsMessageKey(second))
  })

  it('reads a producer key from a String message attribute, or has none', () => {
    const key = sqsAttributeKey('idempotency-key')
    expect(key(sqsRecord('m', {}, { attributes: { 'idempotency-key': 'k-1' } }))).toBe('k-1')
    expect(key(sqsRecord('m', {}))).toBeUndefined()
  })

  it('reads a producer key from a dotted path in a JSON body, and has none for other bodies', () => {
    const key = sqsBodyKey('payment.id')
    expect(key(sqsRecord('m', { payment: { id: 'p-1' } }))).toBe('p-1')
    expect(key(sqsRecord('m', { payment: { id: 42 } }))).toBe('42')
    expect(key(sqsRecord('m', { payment: {} }))).toBeUndefined()
    expect(key(sqsRecord('m', { payment: { id: { nested: true } } }))).toBeUndefined()
    expect(key(sqsRecord('m', 'not json'))).toBeUndefined()
    expect(key(sqsRecord('m', 'null'))).toBeUndefined()
  })

  it('reads only members the JSON body really has, never one inherited from Object or String', () => {
    const body = '{"__proto__":{"id":"p-1"},"constructor":{"name":"c-1"},"payment":"abc","items":["i-0"]}'
    expect(sqsBodyKey('__proto__.id')(sqsRecord('m', body))).toBe('p-1')
    expect(sqsBodyKey('constructor.name')(sqsRecord('m', body))).toBe('c-1')
    expect(sqsBodyKey('items.0')(sqsRecord('m', body))).toBe('i-0')
    for (const path of ['constructor.name', '__proto__.constructor.name', 'toString.length', 'id.length'])
      expect(sqsBodyKey(path)(sqsRecord('m', '{"id":"p-1"}')), path).toBeUndefined()
    for (const path of ['payment.length', 'items.length', 'items.1', 'payment.0'])
      expect(sqsBodyKey(path)(sqsRecord('m', body)), path).toBeUndefined()
  })

  it('keys a Kafka record by topic, partition and offset, so neither partitions nor topics collide', () => {
    const keys = [
      kafkaRecordKey(kafkaRecord('orders', 0, 5, {})),
      kafkaRecordKey(kafkaRecord('orders', 1, 5, {})),
      kafkaRecordKey(kafkaRecord('orders-1', 5, 5, {})),
      kafkaRecordKey(kafkaRecord('orders', 15, 5, {})),
    ]
    expect(new Set(keys).size).toBe(4)
    expect(kafkaRecordKey(kafkaRecord('orders', 0, 5, { other: 'value' }))).toBe(keys[0])
  })

  it('keys EventBridge events by id and DynamoDB stream records by eventID', () => {
    expect(eventBridgeKey(eventBridgeEvent('eb-1', { orderId: 'o' }))).toBe('eb-1')
    expect(dynamoDBStreamKey(streamRecord('100', { pk: { S: 'a' } }, { pk: { S: 'a' } }))).toBe('event-100')
  })
})

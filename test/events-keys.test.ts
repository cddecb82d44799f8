import { describe, expect, it } from 'vitest'
import {
  dynamoDBStreamKey,
  eventBridgeKey,
  kafkaRecordKey,
  s3RecordKey,
  sqsAttributeKey,
  sqsBodyKey,
  sqsMessageKey,
} from '../lib/index.js'
import { eventBridgeEvent, kafkaRecord, s3Record, sqsRecord, streamRecord } from './support/events.js'

describe('key helpers per event source', () => {
  it('keys a standard SQS message by messageId and a FIFO message by its deduplication id', () => {
    expect(sqsMessageKey(sqsRecord('m-1', {}))).toBe('m-1')
    expect(sqsMessageKey(sqsRecord('m-2', {}, { groupId: 'g', deduplicationId: 'producer-7' }))).toBe(
      'producer-7',
    )
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

  it('keys S3 events by bucket, object key and version id, or the sequencer in unversioned buckets', () => {
    const put = s3RecordKey(s3Record('imports', 'a.csv', { sequencer: '0A1', versionId: 'v1' }))
    const otherSequencerSameVersion = s3RecordKey(
      s3Record('imports', 'a.csv', { sequencer: '0A2', versionId: 'v1' }),
    )
    const nextPut = s3RecordKey(s3Record('imports', 'a.csv', { sequencer: '0A2' }))
    const permanentDelete = s3RecordKey(
      s3Record('imports', 'a.csv', { sequencer: '0A3', versionId: 'v1', eventName: 'ObjectRemoved:Delete' }),
    )
    expect(otherSequencerSameVersion).toBe(put)
    expect(new Set([put, nextPut, permanentDelete]).size).toBe(3)
    expect(s3RecordKey(s3Record('imports', 'a.csv', { sequencer: '0A1' }))).not.toBe(
      s3RecordKey(s3Record('imports-2', 'a.csv', { sequencer: '0A1' })),
    )
  })
})

import { describe, expect, it } from 'vitest'
import { kinesisBatch, kinesisDataKey, kinesisRecordKey } from '../../lib/events/index.js'
import { kinesisRecord, kinesisStream, shardIdOf } from '../support/kinesis-events.js'

describe('Kinesis record keys', () => {
  it('keys a record by stream, shard and sequence number, which every redelivery of the shard keeps', () => {
    const stream = kinesisStream('payments')
    const record = stream.shard(3).put({ paymentId: 'p-1' })
    expect(kinesisRecordKey(record)).toBe(
      JSON.stringify([stream.arn, 'shardId-000000000003', record.kinesis.sequenceNumber]),
    )
    expect(kinesisRecordKey(structuredClone(record))).toBe(kinesisRecordKey(record))
  })

  it('gives one sequence number on two shards, or on one shard of two streams, four keys', () => {
    // Sequence numbers are unique only within a shard; one idempotency table may serve several streams.
    const sequenceNumber = '49590338271490256608559692538361571095921575989136588898'
    const [orders, refunds] = [kinesisStream('orders').arn, kinesisStream('refunds').arn]
    const keys = [
      kinesisRecordKey(kinesisRecord(orders, shardIdOf(0), sequenceNumber, {})),
      kinesisRecordKey(kinesisRecord(orders, shardIdOf(1), sequenceNumber, {})),
      kinesisRecordKey(kinesisRecord(refunds, shardIdOf(0), sequenceNumber, {})),
      kinesisRecordKey(kinesisRecord(refunds, shardIdOf(1), sequenceNumber, {})),
    ]
    expect(new Set(keys).size).toBe(4)
  })

  it("gives a producer's resend of the same data a new key, because the shard gives it a new sequence number", () => {
    const shard = kinesisStream().shard(0)
    expect(kinesisRecordKey(shard.put({ paymentId: 'p-1' }))).not.toBe(
      kinesisRecordKey(shard.put({ paymentId: 'p-1' })),
    )
  })

  it('has no key for a record whose eventID names no shard or another sequence number, rather than guess', () => {
    const record = kinesisStream().shard(0).put({})
    const { sequenceNumber } = record.kinesis
    for (const eventID of [sequenceNumber, `:${sequenceNumber}`, `${shardIdOf(0)}:1${sequenceNumber}`, ''])
      expect(kinesisRecordKey({ ...record, eventID }), eventID).toBeUndefined()
  })

  it('reads a producer key from a dotted path of the base64 JSON data, and has none for other data', () => {
    const shard = kinesisStream().shard(0)
    const key = kinesisDataKey('payment.id')
    expect(key(shard.put({ payment: { id: 'p-1' } }))).toBe('p-1')
    expect(key(shard.put({ payment: { id: 42 } }))).toBe('42')
    expect(key(shard.put({ payment: {} }))).toBeUndefined()
    expect(key(shard.put({ payment: { id: { nested: true } } }))).toBeUndefined()
    expect(key(shard.put('not json'))).toBeUndefined()
    expect(key(shard.put('null'))).toBeUndefined()
    const record = shard.put({ payment: { id: 'p-2' } })
    expect(
      key({ ...record, kinesis: { ...record.kinesis, data: undefined as unknown as string } }),
    ).toBeUndefined()
  })
})

describe('the Kinesis batch source', () => {
  it('fingerprints the data alone: a resend under another partition key is the same request, other data is not', () => {
    // Random partition keys are a usual way to spread a stream's load, so a producer's retry may carry a new one.
    const shard = kinesisStream().shard(0)
    const sent = shard.put({ payment: { id: 'p-1', amount: 5 } }, 'a1b2')
    const resent = shard.put({ payment: { id: 'p-1', amount: 5 } }, 'c3d4')
    const changed = shard.put({ payment: { id: 'p-1', amount: 6 } }, 'a1b2')
    expect(kinesisBatch.payload(resent)).toEqual(kinesisBatch.payload(sent))
    expect(kinesisBatch.payload(changed)).not.toEqual(kinesisBatch.payload(sent))
  })

  it('orders by shard: one lane per shard of a stream, and a record with no shard in one lane of its own stream', () => {
    const stream = kinesisStream()
    const [a, b] = [stream.shard(0), stream.shard(1)]
    const other = kinesisStream().shard(0)
    expect(kinesisBatch.group(a.put({}))).toBe(kinesisBatch.group(a.put({}, 'another-partition-key')))
    const lanes = [a.put({}), b.put({}), other.put({}), { ...a.put({}), eventID: '' }]
    expect(new Set(lanes.map(kinesisBatch.group)).size).toBe(4)
  })
})

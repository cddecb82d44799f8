import type { S3EventRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { s3RecordKey } from '../../lib/events/index.js'
import { type S3Notification, s3Record } from '../support/s3-events.js'

const keyOf = (notification: S3Notification, bucket = 'imports', objectKey = 'a.csv') =>
  s3RecordKey(s3Record(bucket, objectKey, notification))

/** A redelivery is the very same notification: S3's own retry or Lambda's asynchronous retry of the event. */
const redeliveryKey = (record: S3EventRecord) => s3RecordKey(structuredClone(record))

describe('S3 notification keys: one notification, one key', () => {
  it('gives two ObjectTagging:Put events on one object two keys, though neither carries a sequencer', () => {
    const first = { eventName: 'ObjectTagging:Put', eventTime: '2026-01-01T10:00:00.000Z', requestId: 'R1' }
    const second = { eventName: 'ObjectTagging:Put', eventTime: '2026-01-01T10:05:00.000Z', requestId: 'R2' }
    expect(keyOf(first)).not.toBe(keyOf(second))
    expect(keyOf({ ...first, versionId: 'v1' })).not.toBe(keyOf({ ...second, versionId: 'v1' }))
    expect(keyOf({ ...first, versionId: null })).not.toBe(keyOf({ ...second, versionId: null }))
  })

  it('gives ObjectRestore:Post and ObjectRestore:Completed of one object two keys', () => {
    const post = { eventName: 'ObjectRestore:Post', eventTime: '2026-01-01T10:00:00.000Z', requestId: 'R1' }
    const completed = {
      eventName: 'ObjectRestore:Completed',
      eventTime: '2026-01-01T14:00:00.000Z',
      requestId: 'R2',
    }
    expect(keyOf(post)).not.toBe(keyOf(completed))
  })

  it('gives a redelivered notification the key of its first delivery, for every kind of event', () => {
    const notifications: S3Notification[] = [
      { eventName: 'ObjectCreated:Put', sequencer: '0A1', versionId: 'v1' },
      { eventName: 'ObjectRemoved:Delete', sequencer: '0A2', versionId: null },
      { eventName: 'ObjectTagging:Put', versionId: null },
      { eventName: 'ObjectRestore:Completed', versionId: 'v1' },
      { eventName: 'LifecycleExpiration:Delete', sequencer: '0A3' },
      {
        eventName: 'Replication:OperationFailedReplication',
        replication: { ruleId: 'r', destinationBucket: 'd' },
      },
    ]
    for (const notification of notifications) {
      const record = s3Record('imports', 'a.csv', notification)
      expect(redeliveryKey(record)).toBe(s3RecordKey(record))
    }
  })

  it('changes the key when any one field that tells notifications apart differs', () => {
    const base: S3Notification = { eventTime: '2026-01-01T10:00:00.000Z', requestId: 'R1', sequencer: '0A1' }
    const keys = [
      keyOf(base),
      keyOf(base, 'imports-2'),
      keyOf(base, 'imports', 'b.csv'),
      keyOf({ ...base, eventName: 'ObjectCreated:Copy' }),
      keyOf({ ...base, eventTime: '2026-01-01T10:00:00.001Z' }),
      keyOf({ ...base, requestId: 'R2' }),
      // Two PUTs of one key within the same millisecond: the sequencer orders them.
      keyOf({ ...base, sequencer: '0A2' }),
      keyOf({ ...base, versionId: 'v2' }),
    ]
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('gives two events with one version id and different sequencers two keys: they are two notifications', () => {
    // Creating a version and later deleting it permanently both report that version's id.
    const put = keyOf({ sequencer: '0A1', versionId: 'v1', requestId: 'R1' })
    const permanentDelete = keyOf({
      eventName: 'ObjectRemoved:Delete',
      sequencer: '0A2',
      versionId: 'v1',
      requestId: 'R2',
      eventTime: '2026-01-01T00:01:00.000Z',
    })
    expect(keyOf({ sequencer: '0A2', versionId: 'v1', requestId: 'R1' })).not.toBe(put)
    expect(permanentDelete).not.toBe(put)
  })

  it('gives each object of one DeleteObjects call its own key, though they share the request id and time', () => {
    const deleteObjects = {
      eventName: 'ObjectRemoved:Delete',
      requestId: 'R1',
      eventTime: '2026-01-01T10:00:00.000Z',
    }
    const keys = [
      keyOf({ ...deleteObjects, sequencer: '0B1' }, 'imports', 'a.csv'),
      keyOf({ ...deleteObjects, sequencer: '0B1' }, 'imports', 'b.csv'),
      // Two versions of one key deleted by the same call.
      keyOf({ ...deleteObjects, sequencer: '0B2', versionId: 'v1' }, 'imports', 'c.csv'),
      keyOf({ ...deleteObjects, sequencer: '0B3', versionId: 'v2' }, 'imports', 'c.csv'),
    ]
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('tells lifecycle events on one object apart, and replication failures for two destinations', () => {
    const at = { eventTime: '2026-01-01T00:00:00.000Z', requestId: 'R1' }
    expect(keyOf({ ...at, eventName: 'LifecycleTransition' })).not.toBe(
      keyOf({ ...at, eventName: 'LifecycleExpiration:Delete', sequencer: '0A1' }),
    )
    const failed = { ...at, eventName: 'Replication:OperationFailedReplication', versionId: 'v1' }
    expect(
      keyOf({ ...failed, replication: { ruleId: 'to-dublin', destinationBucket: 'dr-dublin' } }),
    ).not.toBe(keyOf({ ...failed, replication: { ruleId: 'to-paris', destinationBucket: 'dr-paris' } }))
  })

  it('has no key for a record without its request id or event time, rather than merge it with another', () => {
    const record = s3Record('imports', 'a.csv', { eventName: 'ObjectTagging:Put' })
    const withoutRequestId = { ...record, responseElements: {} } as unknown as S3EventRecord
    const withoutTime = { ...record, eventTime: undefined } as unknown as S3EventRecord
    expect(s3RecordKey(withoutRequestId)).toBeUndefined()
    expect(s3RecordKey(withoutTime)).toBeUndefined()
  })
})

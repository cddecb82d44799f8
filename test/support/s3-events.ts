import type { S3Event, S3EventRecord } from 'aws-lambda'

// S3 event notifications as AWS documents them ("Event message structure" in the S3 user guide): version 2.1
// for most events, 2.2 for replication, 2.3 for lifecycle, Intelligent-Tiering, ACL, tagging and restore
// deletes. `sequencer` comes with PUTs and DELETEs only; `versionId` only from versioned buckets.

export interface S3Notification {
  /** Without the `s3:` prefix, as in the record: `ObjectCreated:Put`, `ObjectTagging:Put`. */
  eventName?: string
  /** When S3 finished the request, ISO-8601 with milliseconds. */
  eventTime?: string
  /** `responseElements["x-amz-request-id"]`: one per S3 request (a DeleteObjects call covers many keys). */
  requestId?: string
  sequencer?: string
  /** `null` as unversioned buckets report it; leave out for the records that carry no versionId at all. */
  versionId?: string | null
  /** Replication failure notifications name the rule and the destination they are about. */
  replication?: { ruleId: string; destinationBucket: string }
}

const EVENT_VERSION_2_3 =
  /^(LifecycleExpiration|LifecycleTransition|IntelligentTiering|ObjectAcl|ObjectTagging)|^ObjectRestore:Delete/

function eventVersion(eventName: string): string {
  if (eventName.startsWith('Replication:')) return '2.2'
  return EVENT_VERSION_2_3.test(eventName) ? '2.3' : '2.1'
}

/** Deletes and expirations report no size or ETag: the object is gone. */
const isRemoval = (eventName: string) => /^(ObjectRemoved|LifecycleExpiration)/.test(eventName)

/** Lifecycle and replication events are caused by S3 itself, not by a caller. */
const byS3 = (eventName: string) => /^(Lifecycle|IntelligentTiering|Replication)/.test(eventName)

export function s3Record(bucket: string, key: string, options: S3Notification = {}): S3EventRecord {
  const eventName = options.eventName ?? 'ObjectCreated:Put'
  const caller = byS3(eventName) ? 's3.amazonaws.com' : undefined
  const object = {
    key,
    ...(!isRemoval(eventName) && { size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e' }),
    ...(options.versionId !== undefined && { versionId: options.versionId }),
    ...(options.sequencer !== undefined && { sequencer: options.sequencer }),
  }
  return {
    eventVersion: eventVersion(eventName),
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: options.eventTime ?? '2026-01-01T00:00:00.000Z',
    eventName,
    userIdentity: { principalId: caller ?? 'AWS:AIDAEXAMPLE' },
    requestParameters: { sourceIPAddress: caller ?? '203.0.113.10' },
    responseElements: {
      'x-amz-request-id': options.requestId ?? 'C3D13FE58DE4C810',
      'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'imports',
      bucket: {
        name: bucket,
        ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
        arn: `arn:aws:s3:::${bucket}`,
      },
      // The typings make size, eTag and sequencer required; S3 leaves them out where they do not apply.
      object: object as S3EventRecord['s3']['object'],
    },
    ...(eventName === 'ObjectRestore:Completed' && {
      glacierEventData: {
        restoreEventData: {
          lifecycleRestorationExpiryTime: '2026-01-08T00:00:00.000Z',
          lifecycleRestoreStorageClass: 'GLACIER',
        },
      },
    }),
    ...(options.replication && {
      replicationEventData: {
        replicationRuleId: options.replication.ruleId,
        destinationBucket: `arn:aws:s3:::${options.replication.destinationBucket}`,
        s3Operation: 'OBJECT_PUT',
        requestTime: options.eventTime ?? '2026-01-01T00:00:00.000Z',
        failureReason: 'AssumeRoleNotPermitted',
      },
    }),
  }
}

export const s3Event = (...records: S3EventRecord[]): S3Event => ({ Records: records })

/** S3 or Lambda's asynchronous retry delivers the same notification again: the very same JSON. */
export const redeliveredS3 = (event: S3Event): S3Event => structuredClone(event)

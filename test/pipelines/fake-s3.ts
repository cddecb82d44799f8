import { createHash } from 'node:crypto'
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'

/** An S3 error as the SDK raises it: the name and the HTTP status the helpers branch on. */
export function s3Error(name: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name })
}

/** What GetObject's streaming body offers, for the two ways the helpers read it. */
const bodyOf = (bytes: Uint8Array) => ({
  transformToString: async () => Buffer.from(bytes).toString('utf8'),
  transformToByteArray: async () => bytes,
})

/**
 * A bucket in memory behind aws-sdk-client-mock, answering the conditional writes as S3 documents them: 412 when
 * `If-None-Match: *` finds the key or `If-Match` another ETag, and full-object SHA-256 checksums when sent. No
 * S3 server is reachable here: this checks the helpers' logic, not S3's.
 */
export function fakeBucket() {
  const client = new S3Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  })
  const mock = mockClient(client)
  const objects = new Map<string, { bytes: Uint8Array; etag: string; checksum?: string }>()
  let versions = 0

  mock.on(PutObjectCommand).callsFake((input) => {
    const existing = objects.get(input.Key)
    if (input.IfNoneMatch === '*' && existing) throw s3Error('PreconditionFailed', 412)
    if (input.IfMatch !== undefined && existing?.etag !== input.IfMatch)
      throw s3Error('PreconditionFailed', 412)
    const bytes = typeof input.Body === 'string' ? Buffer.from(input.Body) : (input.Body as Uint8Array)
    if (input.ChecksumSHA256 && createHash('sha256').update(bytes).digest('base64') !== input.ChecksumSHA256)
      throw s3Error('BadDigest', 400)
    const etag = `"v${++versions}"`
    objects.set(input.Key, { bytes, etag, ...(input.ChecksumSHA256 && { checksum: input.ChecksumSHA256 }) })
    return { ETag: etag }
  })
  const found = (key: string) => {
    const object = objects.get(key)
    if (object === undefined)
      throw new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'NoSuchKey' })
    return object
  }
  mock.on(GetObjectCommand).callsFake((input) => {
    const object = found(input.Key)
    return { ETag: object.etag, Body: bodyOf(object.bytes) }
  })
  mock.on(HeadObjectCommand).callsFake((input) => {
    const object = found(input.Key)
    return { ETag: object.etag, ...(input.ChecksumMode === 'ENABLED' && { ChecksumSHA256: object.checksum }) }
  })
  mock.on(ListObjectsV2Command).callsFake((input) => {
    const keys = [...objects.keys()].filter((key) => key.startsWith(input.Prefix ?? '')).sort()
    if (input.Delimiter === undefined) return { Contents: keys.map((Key) => ({ Key })) }
    const folders = new Set(keys.map((key) => key.slice(0, key.indexOf('/', input.Prefix.length) + 1)))
    return { CommonPrefixes: [...folders].filter((prefix) => prefix !== '').map((Prefix) => ({ Prefix })) }
  })
  mock.on(DeleteObjectsCommand).callsFake((input) => {
    for (const { Key } of input.Delete.Objects) objects.delete(Key)
    return {}
  })
  return { client, mock, objects }
}

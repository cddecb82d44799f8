import { createHash } from 'node:crypto'
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { isIdempotencyError } from '../../lib/errors.js'
import { S3ObjectMismatchError, writeObjectOnce } from '../../lib/pipelines/s3/index.js'
import { fakeBucket, s3Error } from './fake-s3.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64')
const object = { bucket: 'exports', key: 'orders/2024-01-15/part-0001.json', body: '[1,2,3]' }

describe('write-once objects on S3 (request shapes and answers, with aws-sdk-client-mock)', () => {
  it('puts with If-None-Match: * and the body’s SHA-256, and answers written', async () => {
    const { client, mock } = fakeBucket()
    expect(await writeObjectOnce(client, { ...object, contentType: 'application/json' })).toEqual({
      kind: 'written',
      etag: '"v1"',
    })
    expect(mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'exports',
      Key: object.key,
      IfNoneMatch: '*',
      ChecksumSHA256: sha256('[1,2,3]'),
      ContentType: 'application/json',
    })
  })

  it('answers existed for the same bytes written again: the 412 is compared by checksum, not taken as failure', async () => {
    const { client, mock } = fakeBucket()
    await writeObjectOnce(client, object)
    for (let rerun = 0; rerun < 3; rerun++)
      expect(await writeObjectOnce(client, object)).toEqual({ kind: 'existed', etag: '"v1"' })
    expect(mock.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({ ChecksumMode: 'ENABLED' })
    expect(mock.commandCalls(GetObjectCommand)).toHaveLength(0)
  })

  it('compares the bytes themselves when S3 kept no full-object checksum (a multipart object’s is per part)', async () => {
    const { client, mock } = fakeBucket()
    mock.on(PutObjectCommand).rejects(s3Error('PreconditionFailed', 412))
    mock.on(HeadObjectCommand).resolves({ ETag: '"m"', ChecksumSHA256: 'abc-3' })
    const body = { transformToByteArray: async () => Buffer.from('[1,2,3]') }
    mock.on(GetObjectCommand).resolves({ ETag: '"m"', Body: body as never })
    expect(await writeObjectOnce(client, object)).toEqual({ kind: 'existed', etag: '"m"' })
  })

  it('refuses other bytes under a key already written, with a named mismatch, and leaves the object as it was', async () => {
    const { client, objects } = fakeBucket()
    await writeObjectOnce(client, object)
    const attempt = writeObjectOnce(client, { ...object, body: '[1,2,4]' })
    await expect(attempt).rejects.toBeInstanceOf(S3ObjectMismatchError)
    await expect(attempt).rejects.toSatisfy((error) => isIdempotencyError(error, 'payload-mismatch'))
    expect(Buffer.from(objects.get(object.key)?.bytes ?? []).toString()).toBe('[1,2,3]')
  })

  it('retries a 409 ConditionalRequestConflict, then writes', async () => {
    const { client, mock } = fakeBucket()
    mock
      .on(PutObjectCommand)
      .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
      .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
      .resolves({ ETag: '"v9"' })
    expect(await writeObjectOnce(client, object)).toEqual({ kind: 'written', etag: '"v9"' })
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(3)
  })

  it('gives a 409 that persists back to the caller after five attempts, and any other error at once', async () => {
    const { client, mock } = fakeBucket()
    mock.on(PutObjectCommand).rejects(s3Error('ConditionalRequestConflict', 409))
    await expect(writeObjectOnce(client, object)).rejects.toMatchObject({
      name: 'ConditionalRequestConflict',
    })
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(5)
    mock.reset()
    mock.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403))
    await expect(writeObjectOnce(client, object)).rejects.toMatchObject({ name: 'AccessDenied' })
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1)
  })
})

import { createHash } from 'node:crypto'
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { backOff } from '../../backoff.js'
import { S3ObjectMismatchError } from './errors.js'

export interface WriteObjectOnceInput {
  readonly bucket: string
  /** A deterministic key: the same output of the same run is always written under the same key. */
  readonly key: string
  /** The whole object: its SHA-256 is sent, checked by S3, and compared on a repeated write. */
  readonly body: string | Uint8Array
  readonly contentType?: string
}

/**
 * S3 answers 409 ConditionalRequestConflict while a conflicting write to the key is in flight: try again
 * shortly (100, 200, 400... ms), a few times, then let the caller's retry take it.
 */
const CONFLICT_FIRST_DELAY_MS = 100
const CONFLICT_MAX_ATTEMPTS = 5

/**
 * Write-once: `PutObject` with `If-None-Match: *`, so an object is written under its key at most once. A repeated
 * write of the same bytes (a re-run, a retry whose answer was lost) finds the object there (412) and compares
 * checksums: the same bytes is success (`existed`), other bytes throw `S3ObjectMismatchError` and write nothing.
 * A 409 (a concurrent write to the key in flight) is retried with bounded backoff.
 *
 * - Re-run: every object `existed`; nothing is rewritten.
 * - Crash midway: what landed stays; the re-run writes the rest and finds the rest `existed`.
 * - Zombie: a deterministic key gets the same bytes from it, so it changes nothing.
 * - Two concurrent runs: one write lands, the other finds it (or a 409, then finds it).
 *
 * Per key only: S3 has no multi-object atomicity, so a reader can see some objects of a run before the rest;
 * `s3PrefixReplace` publishes a run's objects together through a manifest.
 *
 * @example
 * ```ts
 * await writeObjectOnce(s3, { bucket: 'exports', key: `orders/${day}/part-0001.json`, body: JSON.stringify(rows) })
 * ```
 */
export async function writeObjectOnce(
  client: S3Client,
  input: WriteObjectOnceInput,
): Promise<{ readonly kind: 'written' | 'existed'; readonly etag?: string }> {
  const body = typeof input.body === 'string' ? Buffer.from(input.body) : input.body
  const checksum = sha256Base64(body)
  for (let attempt = 1; ; attempt++) {
    try {
      const { ETag } = await client.send(
        new PutObjectCommand({
          Bucket: input.bucket,
          Key: input.key,
          Body: body,
          IfNoneMatch: '*',
          ChecksumSHA256: checksum,
          ...(input.contentType !== undefined && { ContentType: input.contentType }),
        }),
      )
      return { kind: 'written', ...(ETag !== undefined && { etag: ETag }) }
    } catch (error) {
      if (isConflict(error) && attempt < CONFLICT_MAX_ATTEMPTS) {
        await backOff(CONFLICT_FIRST_DELAY_MS, attempt)
        continue
      }
      if (!isPreconditionFailed(error)) throw error
    }
    const stored = await storedChecksum(client, input.bucket, input.key)
    if (stored.checksum !== checksum) throw new S3ObjectMismatchError(input.bucket, input.key)
    return { kind: 'existed', ...(stored.etag !== undefined && { etag: stored.etag }) }
  }
}

/**
 * The stored object's full SHA-256: from its checksum when S3 kept one for the whole object, otherwise from its
 * bytes (objects written without one, or multipart ones whose checksum is a checksum of parts: `…-3`).
 */
async function storedChecksum(client: S3Client, bucket: string, key: string) {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }))
  if (head.ChecksumSHA256 !== undefined && !head.ChecksumSHA256.includes('-'))
    return { checksum: head.ChecksumSHA256, etag: head.ETag }
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array()
  return { checksum: sha256Base64(bytes), etag: object.ETag }
}

export const sha256Base64 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64')

const statusOf = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode

/** 412 Precondition Failed: the object exists (If-None-Match), or changed (If-Match). */
export const isPreconditionFailed = (error: unknown) =>
  statusOf(error) === 412 || (error as Error | undefined)?.name === 'PreconditionFailed'

/** 409 ConditionalRequestConflict: a conflicting conditional write to the key is in flight. */
export const isConflict = (error: unknown) =>
  statusOf(error) === 409 || (error as Error | undefined)?.name === 'ConditionalRequestConflict'

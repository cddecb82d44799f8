import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { backOff } from '../../backoff.js'
import type { JobRun } from '../job.js'
import { S3ManifestMovedError } from './errors.js'
import { isConflict, isPreconditionFailed, writeObjectOnce } from './write-once.js'

export interface S3PrefixReplaceOptions {
  readonly client: S3Client
  readonly bucket: string
  /** Where the data set lives, ending in `/` (`reports/daily-totals/`); each partition is a folder under it. */
  readonly prefix: string
  /** Epoch milliseconds, recorded in the manifest. @default Date.now */
  readonly now?: () => number
}

/** What a partition's manifest says: which run is live, and its objects. Readers read only these. */
export interface S3Manifest {
  readonly runId: string
  /** The run's folder: `<prefix><partition>/runs/<runId>/`. */
  readonly runPrefix: string
  /** The run's objects, as full keys. */
  readonly keys: readonly string[]
  readonly committedAtEpochMs: number
}

export interface PrefixWriter {
  readonly runPrefix: string
  /** Writes one object of the run, write-once under `<runPrefix><name>`. Returns its key. */
  put(name: string, body: string | Uint8Array, contentType?: string): Promise<string>
  /**
   * Switches the manifest to this run with `If-Match` (the ETag read at `begin`; `If-None-Match: *` for a
   * partition's first run), so it only replaces the run this one saw. Throws `S3ManifestMovedError` when another
   * run switched it meanwhile. Once the run's completion has committed, the superseded runs' objects are deleted.
   */
  commit(): Promise<S3Manifest>
}

export interface S3PrefixReplace {
  /** Starts the run's folder for its partition (`run.partition` unless given), reading the live manifest. */
  begin(run: JobRun, partition?: string): Promise<PrefixWriter>
  /** The partition's live manifest, or undefined before any run of it committed. */
  read(partition: string): Promise<S3Manifest | undefined>
}

/** Keys per DeleteObjects call: S3's own cap. */
const DELETE_MAX_KEYS = 1_000
const CONFLICT_FIRST_DELAY_MS = 100
const CONFLICT_MAX_ATTEMPTS = 5

/**
 * Prefix replace: a run writes its objects under a folder of its own (`<partition>/runs/<runId>/`), then switches
 * the partition's manifest (`<partition>/_manifest.json`) to them with a conditional write. Readers read the
 * manifest, then exactly the objects it lists: a whole run, never a mix. A 409 on the switch is retried; a 412
 * means another run switched first (`S3ManifestMovedError`), unless the manifest already names this run (its own
 * switch, answered late). Once the run's completion commits, the objects of the run it replaced, and of runs that
 * crashed before it, are deleted: a reader still holding the old manifest gets 404 and reads the manifest again.
 *
 * - Re-run: the job replays the summary; forced, a new folder, then the switch: one run's objects.
 * - Crash midway: the manifest still names the last complete run; the crashed run's folder is deleted after the
 *   next run commits.
 * - Zombie: `commit` checks the run still holds its lease; a switch by any other run since `begin` fails it.
 * - Two concurrent runs of one partition: the job lets one run; without it, the second switch gets 412.
 *
 * @example
 * ```ts
 * const exports = s3PrefixReplace({ client: s3, bucket: 'reports', prefix: 'daily-totals/' })
 * const writer = await exports.begin(run)
 * await writer.put('totals.json', JSON.stringify(rows), 'application/json')
 * await writer.commit()
 * ```
 */
export function s3PrefixReplace(options: S3PrefixReplaceOptions): S3PrefixReplace {
  const { client, bucket, prefix } = options
  if (prefix !== '' && !prefix.endsWith('/')) throw new TypeError(`An S3 prefix must end with '/': ${prefix}`)
  const now = options.now ?? Date.now
  const folder = (partition: string) => `${prefix}${partition}/`
  const manifestKey = (partition: string) => `${folder(partition)}_manifest.json`

  async function readManifest(partition: string): Promise<{ manifest?: S3Manifest; etag?: string }> {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(partition) }))
      const manifest = JSON.parse((await object.Body?.transformToString()) ?? 'null') as S3Manifest
      return { manifest, ...(object.ETag !== undefined && { etag: object.ETag }) }
    } catch (error) {
      if ((error as Error | undefined)?.name === 'NoSuchKey') return {}
      throw error
    }
  }

  /** Run folders under the partition, other than `except`: crashed or superseded runs once the job holds it. */
  async function runFolders(partition: string, except: readonly string[]): Promise<string[]> {
    const folders: string[] = []
    let ContinuationToken: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `${folder(partition)}runs/`,
          Delimiter: '/',
          ContinuationToken,
        }),
      )
      folders.push(...(page.CommonPrefixes ?? []).flatMap((common) => (common.Prefix ? [common.Prefix] : [])))
      ContinuationToken = page.NextContinuationToken
    } while (ContinuationToken !== undefined)
    return folders.filter((runFolder) => !except.includes(runFolder))
  }

  async function deleteFolder(runFolder: string): Promise<void> {
    let ContinuationToken: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: runFolder,
          ContinuationToken,
          MaxKeys: DELETE_MAX_KEYS,
        }),
      )
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []))
      if (keys.length > 0)
        await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
        )
      ContinuationToken = page.NextContinuationToken
    } while (ContinuationToken !== undefined)
  }

  async function begin(run: JobRun, partition = run.partition): Promise<PrefixWriter> {
    run.assertHeld()
    const runPrefix = `${folder(partition)}runs/${run.runId}/`
    const { manifest: live, etag } = await readManifest(partition)
    // The job holds the partition, so every other folder is a crashed or superseded run's.
    const dead = await runFolders(partition, [runPrefix, ...(live ? [live.runPrefix] : [])])
    const keys: string[] = []
    return {
      runPrefix,
      async put(name, body, contentType) {
        run.assertHeld()
        const key = `${runPrefix}${name}`
        await writeObjectOnce(client, {
          bucket,
          key,
          body,
          ...(contentType !== undefined && { contentType }),
        })
        if (!keys.includes(key)) keys.push(key)
        return key
      },
      async commit() {
        run.assertHeld()
        const manifest: S3Manifest = { runId: run.runId, runPrefix, keys, committedAtEpochMs: now() }
        await switchManifest(partition, manifest, etag)
        run.afterCommit(async () => {
          for (const runFolder of live ? [live.runPrefix, ...dead] : dead) await deleteFolder(runFolder)
        })
        return manifest
      },
    }
  }

  async function switchManifest(
    partition: string,
    manifest: S3Manifest,
    etag: string | undefined,
  ): Promise<void> {
    const key = manifestKey(partition)
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: JSON.stringify(manifest),
            ContentType: 'application/json',
            ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
          }),
        )
        return
      } catch (error) {
        if (isConflict(error) && attempt < CONFLICT_MAX_ATTEMPTS) {
          await backOff(CONFLICT_FIRST_DELAY_MS, attempt)
          continue
        }
        if (!isPreconditionFailed(error)) throw error
        // A switch of ours that landed while its answer was lost reads back as ours: done, not moved.
        if ((await readManifest(partition)).manifest?.runId === manifest.runId) return
        throw new S3ManifestMovedError(bucket, key)
      }
    }
  }

  return { begin, read: async (partition) => (await readManifest(partition)).manifest }
}

import { PutObjectCommand } from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { isIdempotencyError } from '../../lib/errors.js'
import { InMemoryJobStore, pipelineJob } from '../../lib/pipelines/index.js'
import { S3ManifestMovedError, s3PrefixReplace } from '../../lib/pipelines/s3/index.js'
import { fakeBucket, s3Error } from './fake-s3.js'
import { describeRerunScenarios, jobOn } from './scenarios.js'
import { type TotalsRow, totalsFor } from './support.js'

/** Each row of a date is one object (`EUR.json`); a reader reads the manifest, then the objects it lists. */
function subject() {
  const bucket = fakeBucket()
  const exports = s3PrefixReplace({ client: bucket.client, bucket: 'reports', prefix: 'daily-totals/' })
  return {
    bucket,
    exports,
    store: new InMemoryJobStore(),
    write: async (
      run: Parameters<typeof exports.begin>[0],
      _date: string,
      rows: readonly TotalsRow[],
      finish: boolean,
    ) => {
      const writer = await exports.begin(run)
      for (const row of rows) await writer.put(`${row.currency}.json`, JSON.stringify(row))
      if (finish) await writer.commit()
    },
    read: async (date: string) => {
      const manifest = await exports.read(date)
      return (manifest?.keys ?? []).map((key) =>
        JSON.parse(Buffer.from(bucket.objects.get(key)?.bytes ?? []).toString()),
      )
    },
    rowsFor: totalsFor,
  }
}

describeRerunScenarios<TotalsRow>(
  'prefix replace behind a manifest on S3 (a fake bucket on aws-sdk-client-mock)',
  subject,
)

/** One forced run of a date through a job on the in-memory store. */
const job = () => pipelineJob<number>({ store: new InMemoryJobStore(), name: 'exports' })

describe('prefix replace behind a manifest on S3 (request shapes and answers, with aws-sdk-client-mock)', () => {
  it('switches a first run’s manifest with If-None-Match: *, and a later run’s with If-Match on the ETag it read', async () => {
    const test = subject()
    const { run } = jobOn(test)
    await run('2024-08-01')
    await run('2024-08-01', { force: true })
    const switches = test.bucket.mock
      .commandCalls(PutObjectCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Key === 'daily-totals/2024-08-01/_manifest.json')
    expect(switches.map(({ IfNoneMatch, IfMatch }) => ({ IfNoneMatch, IfMatch }))).toEqual([
      { IfNoneMatch: '*', IfMatch: undefined },
      { IfNoneMatch: undefined, IfMatch: expect.stringMatching(/^"v\d+"$/) },
    ])
  })

  it('deletes the objects of superseded and crashed runs once the run commits, never the live run’s', async () => {
    const test = subject()
    const { run, passLease } = jobOn(test)
    await run('2024-08-02')
    await run('2024-08-02', { force: true, crashAfterRows: 2 }).catch(() => undefined)
    passLease()
    const live = await run('2024-08-02', { force: true })
    const keys = [...test.bucket.objects.keys()].filter((key) =>
      key.startsWith('daily-totals/2024-08-02/runs/'),
    )
    expect(keys).toHaveLength(4)
    expect(keys.every((key) => key.includes(live.runId))).toBe(true)
  })

  it('retries a 409 on the switch, and publishes', async () => {
    const { bucket, exports } = subject()
    bucket.mock
      .on(PutObjectCommand, { Key: 'daily-totals/2024-08-03/_manifest.json' })
      .rejectsOnce(s3Error('ConditionalRequestConflict', 409))
      .resolves({ ETag: '"m1"' })
    const outcome = await job().run({ partition: '2024-08-03' }, async (run) => {
      await (await exports.begin(run)).commit()
      return 1
    })
    expect(outcome.kind).toBe('ran')
    expect(bucket.mock.commandCalls(PutObjectCommand)).toHaveLength(2)
  })

  it('fails a run whose manifest another run switched after it read it, and takes its own late switch as done', async () => {
    const { bucket, exports } = subject()
    bucket.mock
      .on(PutObjectCommand, { Key: 'daily-totals/2024-08-04/_manifest.json' })
      .rejects(s3Error('PreconditionFailed', 412))
    const moved = job().run({ partition: '2024-08-04' }, async (run) => {
      await (await exports.begin(run)).commit()
      return 1
    })
    await expect(moved).rejects.toBeInstanceOf(S3ManifestMovedError)
    await expect(moved).rejects.toSatisfy((error) => isIdempotencyError(error, 'lease-lost'))
    // A switch that landed but whose answer was lost: the SDK's retry gets 412, and the manifest names this run.
    const late = job().run({ partition: '2024-08-04' }, async (run) => {
      const manifest = { runId: run.runId, runPrefix: '', keys: [], committedAtEpochMs: 0 }
      bucket.objects.set('daily-totals/2024-08-04/_manifest.json', {
        bytes: Buffer.from(JSON.stringify(manifest)),
        etag: '"late"',
      })
      await (await exports.begin(run)).commit()
      return 1
    })
    await expect(late).resolves.toMatchObject({ kind: 'ran' })
  })

  it('refuses a prefix that does not end in a slash', () => {
    expect(() =>
      s3PrefixReplace({ client: fakeBucket().client, bucket: 'b', prefix: 'daily-totals' }),
    ).toThrow(/end with/)
  })
})

import { describe, expect, it } from 'vitest'
import { isIdempotencyError } from '../../lib/errors.js'
import { InMemoryJobStore, type JobRun, jobKeyOf, pipelineJob } from '../../lib/pipelines/index.js'
import type { CollectedWrites } from '../../lib/store/collected-writes.js'

/** A clock the test moves; the job's lease is a minute. */
function setUp() {
  const store = new InMemoryJobStore()
  let nowMs = 1_000_000
  const job = pipelineJob<{ rows: number }>({ store, name: 'totals', leaseMs: 60_000, now: () => nowMs })
  return { store, job, advance: (ms: number) => (nowMs += ms) }
}

const write = (run: JobRun, row: string) => run.writes<CollectedWrites<unknown>>().add(row)

describe('pipelineJob on the in-memory store', () => {
  it('runs again for a new input version, then replays that version’s summary', async () => {
    const { job } = setUp()
    const work = async () => ({ rows: 1 })
    expect(await job.run({ partition: 'd', inputVersion: 'v1' }, work)).toMatchObject({
      kind: 'ran',
      reason: 'first',
    })
    expect(await job.run({ partition: 'd', inputVersion: 'v2' }, work)).toMatchObject({
      kind: 'ran',
      reason: 'new-input',
    })
    expect(await job.run({ partition: 'd', inputVersion: 'v2' }, work)).toMatchObject({ kind: 'replayed' })
  })

  it('gives the claim back when the work throws, committing none of its writes: the next run runs', async () => {
    const { store, job } = setUp()
    const failing = job.run({ partition: 'd' }, async (run) => {
      write(run, 'half')
      throw new Error('source unavailable')
    })
    await expect(failing).rejects.toThrow('source unavailable')
    expect(store.committedWrites).toEqual([])
    const outcome = await job.run({ partition: 'd' }, async (run) => {
      write(run, 'whole')
      return { rows: 1 }
    })
    expect(outcome).toMatchObject({ kind: 'ran', reason: 'first' })
    expect(store.committedWrites).toEqual(['whole'])
  })

  it('stops a zombie: its writes are refused once its lease ends, and its completion once another run took over', async () => {
    const { store, job, advance } = setUp()
    let resume: () => void = () => undefined
    const paused = new Promise<void>((resolve) => {
      resume = resolve
    })
    let zombie: JobRun | undefined
    const first = job.run({ partition: 'd' }, async (run) => {
      zombie = run
      await paused
      return { rows: 0 }
    })
    await expect.poll(() => zombie).toBeDefined()
    advance(60_001)
    expect(() => write(zombie as JobRun, 'late')).toThrow(/lost its hold/)
    expect(await job.run({ partition: 'd' }, async () => ({ rows: 1 }))).toMatchObject({ reason: 'takeover' })
    resume()
    await expect(first).rejects.toSatisfy((error) => isIdempotencyError(error, 'lease-lost'))
    expect(JSON.parse(store.states.get(jobKeyOf('totals', 'd'))?.completed?.summary ?? '')).toEqual({
      rows: 1,
    })
  })

  it('leases a run for the Lambda’s remaining time when longer than leaseMs, and leaseMs otherwise', async () => {
    const { store, job } = setUp()
    const leases: number[] = []
    const work = async (run: JobRun) => {
      leases.push(run.leaseUntilEpochMs - 1_000_000)
      return { rows: 0 }
    }
    await job.run({ partition: 'a' }, work, { getRemainingTimeInMillis: () => 600_000 })
    await job.run({ partition: 'b' }, work, { getRemainingTimeInMillis: () => 5_000 })
    await job.run({ partition: 'c' }, work)
    expect(leases).toEqual([602_000, 60_000, 60_000])
    expect(store.states.size).toBe(3)
  })

  it('runs after-commit tasks once the run has committed, and reports their failures without failing it', async () => {
    const { store, job } = setUp()
    const seen: string[] = []
    const outcome = await job.run({ partition: 'd' }, async (run) => {
      run.afterCommit(async () => {
        seen.push(store.states.get(jobKeyOf('totals', 'd'))?.completed ? 'committed' : 'not yet')
      })
      run.afterCommit(async () => {
        throw new Error('cleanup failed')
      })
      return { rows: 2 }
    })
    expect(seen).toEqual(['committed'])
    expect(outcome).toMatchObject({ kind: 'ran', afterCommitErrors: [new Error('cleanup failed')] })
  })

  it('refuses unknown options, a name with #, and a run without a partition', async () => {
    const store = new InMemoryJobStore()
    expect(() => pipelineJob({ store, name: 'totals', leaseMS: 1 } as never)).toThrow(
      /does not take the option 'leaseMS'/,
    )
    expect(() => pipelineJob({ store, name: 'daily#totals' })).toThrow(/without '#'/)
    expect(() => pipelineJob({ store, name: 'totals', leaseMs: 0 })).toThrow(RangeError)
    await expect(
      pipelineJob({ store, name: 'totals' }).run({ partition: '' }, async () => 1),
    ).rejects.toThrow(/needs a partition/)
  })
})

import { randomUUID } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  DynamoDBWatermarkStore,
  InMemoryWatermarkStore,
  type WatermarkStore,
  type WatermarkWindow,
  watermarkJob,
} from '../../lib/events/index.js'
import { IdempotencyLeaseLostError } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { countCommands } from '../support/events.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
const commands = countCommands(client)
let dynamodb: DynamoDBWatermarkStore

beforeAll(async () => {
  dynamodb = new DynamoDBWatermarkStore({ tableName: await createIdempotencyTestTable(client), client })
})
beforeEach(() => commands.reset())

/**
 * An incremental export: rows carry a change time; each run exports the rows changed after the watermark and
 * returns the latest change time it saw as the new watermark.
 */
function exportJob(store: WatermarkStore, options: { now?: () => number; leaseMs?: number } = {}) {
  const rows: number[] = []
  const exported: number[] = []
  const job = watermarkJob({ store, name: `export-${randomUUID()}`, initial: 0, ...options })
  const exportAfter = async ({ from }: WatermarkWindow<number>) => {
    const changed = rows.filter((changedAt) => changedAt > from)
    exported.push(...changed)
    return Math.max(from, ...changed)
  }
  return { rows, exported, job, exportAfter }
}

/** A run whose work waits until released, and a promise that settles once the work (so the lease) has begun. */
function heldRun() {
  let begin: () => void = () => undefined
  let release: () => void = () => undefined
  const begun = new Promise<void>((resolve) => {
    begin = resolve
  })
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  const hold = async () => {
    begin()
    await released
  }
  return { begun, release, hold }
}

describe.each<[string, () => WatermarkStore]>([
  ['DynamoDB Local', () => dynamodb],
  ['the in-memory store', () => new InMemoryWatermarkStore()],
])('a watermark job on %s', (_name, storeOf) => {
  it('exports every row once when run twice: the second run starts where the first ended', async () => {
    const { rows, exported, job, exportAfter } = exportJob(storeOf())
    rows.push(1, 2, 3)
    expect(await job.run(exportAfter)).toEqual({ kind: 'advanced', from: 0, to: 3 })
    rows.push(4, 5)
    expect(await job.run(exportAfter)).toEqual({ kind: 'advanced', from: 3, to: 5 })
    expect(await job.run(exportAfter)).toEqual({ kind: 'advanced', from: 5, to: 5 })
    expect(exported).toEqual([1, 2, 3, 4, 5])
  })

  it('answers an overlapping run busy, with nothing exported twice', async () => {
    const { rows, exported, job, exportAfter } = exportJob(storeOf())
    rows.push(1, 2)
    const held = heldRun()
    const first = job.run(async (window) => {
      await held.hold()
      return exportAfter(window)
    }, lambdaContext(5_000))
    await held.begun

    const overlapping = await job.run(exportAfter)

    expect(overlapping.kind).toBe('busy')
    // The first run leases for its Lambda's remaining time (about 5 s) plus the 2 s margin.
    if (overlapping.kind === 'busy') expect(overlapping.retryAfterMs).toBeGreaterThan(5_000)
    held.release()
    expect(await first).toEqual({ kind: 'advanced', from: 0, to: 2 })
    expect(exported).toEqual([1, 2])
  })

  it('stores nothing when a run fails, so the rerun exports the same window again and skips nothing', async () => {
    const { rows, exported, job, exportAfter } = exportJob(storeOf())
    rows.push(1, 2)
    await expect(
      job.run(async (window) => {
        await exportAfter(window)
        throw new Error('export target unavailable')
      }),
    ).rejects.toThrow('export target unavailable')

    expect(await job.run(exportAfter)).toEqual({ kind: 'advanced', from: 0, to: 2 })
    expect(exported).toEqual([1, 2, 1, 2])
  })

  it('keeps checkpoints of a run that crashed later, so the next run redoes only the rest', async () => {
    const { rows, exported, job } = exportJob(storeOf())
    rows.push(1, 2, 3, 4)
    const pageSize = 2
    const exportInPages =
      (crashAfterPages: number) =>
      async ({ from, checkpoint }: WatermarkWindow<number>) => {
        let mark = from
        for (let page = 0; ; page++) {
          const rowsOfPage = rows.filter((changedAt) => changedAt > mark).slice(0, pageSize)
          if (rowsOfPage.length === 0) return mark
          if (page === crashAfterPages) throw new Error('Lambda timed out')
          exported.push(...rowsOfPage)
          mark = Math.max(...rowsOfPage)
          await checkpoint(mark)
        }
      }

    await expect(job.run(exportInPages(1))).rejects.toThrow('timed out')
    expect(await job.run(exportInPages(-1))).toEqual({ kind: 'advanced', from: 2, to: 4 })
    expect(exported).toEqual([1, 2, 3, 4])
  })

  it('refuses to advance for a run whose lease ended and was taken over', async () => {
    let nowMs = Date.UTC(2026, 0, 1)
    const { rows, exported, job, exportAfter } = exportJob(storeOf(), { now: () => nowMs, leaseMs: 1_000 })
    rows.push(1)
    const held = heldRun()
    const slow = job.run(async (window) => {
      await held.hold()
      return exportAfter(window)
    })
    await held.begun

    nowMs += 1_001
    rows.push(2)
    expect(await job.run(exportAfter)).toEqual({ kind: 'advanced', from: 0, to: 2 })
    held.release()

    await expect(slow).rejects.toBeInstanceOf(IdempotencyLeaseLostError)
    rows.push(3)
    expect(await job.run(exportAfter)).toEqual({ kind: 'advanced', from: 2, to: 3 })
    expect(exported.slice(-1)).toEqual([3])
  })
})

describe('a watermark job on DynamoDB Local, in store calls', () => {
  it('costs one UpdateItem to claim and one to advance and release, whatever the window holds', async () => {
    const { rows, job, exportAfter } = exportJob(dynamodb)
    rows.push(1, 2, 3)
    commands.reset()
    await job.run(exportAfter)
    expect(commands.counts()).toEqual({ UpdateItem: 2 })
  })
})

import { randomUUID } from 'node:crypto'
import { expect } from 'vitest'
import { isIdempotencyError } from '../../lib/errors.js'
import { decideJob, type JobClaim, type JobStore } from '../../lib/pipelines/index.js'

/** How a case writes through a store's run writes and reads them back from outside, as any reader would. */
export interface JobWritesAdapter {
  write(writes: unknown, id: string): Promise<void> | void
  exists(id: string): Promise<boolean>
}

export interface JobStoreHarness {
  readonly store: JobStore
  readonly writes: JobWritesAdapter
}

/** A lease far longer than any case, so only the cases that move the clock past it see one end. */
const LEASE_MS = 60_000

/** Claims on a fresh partition key per case: stores may share one table between cases. */
function partition() {
  const key = `pipeline-run#contract#${randomUUID()}`
  const t0 = Date.now()
  const claim = (over: Partial<JobClaim> = {}, nowEpochMs = t0): JobClaim => ({
    key,
    inputVersion: 'v1',
    force: false,
    token: randomUUID(),
    leaseUntilEpochMs: nowEpochMs + LEASE_MS,
    ...over,
  })
  return { key, t0, claim }
}

const lost = (error: unknown) => isIdempotencyError(error, 'lease-lost')

export const jobStoreCases: readonly { name: string; run(harness: JobStoreHarness): Promise<void> }[] = [
  {
    name: 'claims a partition nobody ran, and refuses a second run while the first holds it',
    async run({ store }) {
      const { t0, claim } = partition()
      const first = claim()
      expect(await store.claim(first, t0)).toEqual({ claimed: true, existing: undefined })
      const second = await store.claim(claim({ force: true }), t0 + 1)
      expect(second.claimed).toBe(false)
      expect(second.existing?.claim?.token).toBe(first.token)
    },
  },
  {
    name: 'completes a run with its summary, and refuses the same input version unforced, for its replay',
    async run({ store }) {
      const { key, t0, claim } = partition()
      const first = claim()
      await store.claim(first, t0)
      await store.complete(first, '{"rows":3}', t0 + 5)
      const completed = {
        inputVersion: 'v1',
        summary: '{"rows":3}',
        token: first.token,
        completedAtEpochMs: t0 + 5,
      }
      expect(await store.get(key)).toEqual({ key, completed })
      expect(await store.claim(claim(), t0 + 6)).toEqual({ claimed: false, existing: { key, completed } })
    },
  },
  {
    name: 'lets a forced run, and a run of a new input version, claim a completed partition',
    async run({ store }) {
      const { t0, claim } = partition()
      const first = claim()
      await store.claim(first, t0)
      await store.complete(first, 'null', t0)
      const forced = claim({ force: true })
      expect((await store.claim(forced, t0)).claimed).toBe(true)
      await store.release(forced)
      expect((await store.claim(claim({ inputVersion: 'v2' }), t0)).claimed).toBe(true)
    },
  },
  {
    name: 'never lets force or a new input version take over a live claim',
    async run({ store }) {
      const { t0, claim } = partition()
      await store.claim(claim(), t0)
      expect((await store.claim(claim({ force: true }), t0 + 1)).claimed).toBe(false)
      expect((await store.claim(claim({ inputVersion: 'v2' }), t0 + 1)).claimed).toBe(false)
    },
  },
  {
    name: "lets a run take over a claim whose lease ended, and refuses the old holder's completion and release",
    async run({ store }) {
      const { key, t0, claim } = partition()
      const zombie = claim()
      await store.claim(zombie, t0)
      const later = t0 + LEASE_MS
      const taker = claim({}, later)
      const taken = await store.claim(taker, later)
      expect(taken.claimed).toBe(true)
      expect(taken.existing?.claim?.token).toBe(zombie.token)
      await expect(store.complete(zombie, 'null', later)).rejects.toSatisfy(lost)
      await expect(store.release(zombie)).rejects.toSatisfy(lost)
      expect((await store.get(key))?.claim?.token).toBe(taker.token)
    },
  },
  {
    name: 'treats a completion sent again after it landed as done, and a release after it as nothing to do',
    async run({ store }) {
      const { key, t0, claim } = partition()
      const run = claim()
      await store.claim(run, t0)
      await store.complete(run, '1', t0)
      await store.complete(run, '1', t0 + 1)
      await store.release(run)
      expect((await store.get(key))?.completed).toMatchObject({ token: run.token, completedAtEpochMs: t0 })
    },
  },
  {
    name: 'keeps the last completed run when a later claim is released',
    async run({ store }) {
      const { key, t0, claim } = partition()
      const first = claim()
      await store.claim(first, t0)
      await store.complete(first, '"first"', t0)
      const failed = claim({ force: true })
      await store.claim(failed, t0 + 1)
      await store.release(failed)
      expect(await store.get(key)).toEqual({
        key,
        completed: expect.objectContaining({ token: first.token }),
      })
    },
  },
  {
    name: "commits a run's writes with its completion, and never on a release or a refused completion",
    async run({ store, writes }) {
      const { t0, claim } = partition()
      const open = (run: JobClaim) => store.openWrites?.({ ...run, assertWritable: () => undefined })
      const released = claim()
      await store.claim(released, t0)
      const releasedWrites = open(released)
      await writes.write(releasedWrites, `${released.token}`)
      await store.release(released, releasedWrites)
      const zombie = claim({}, t0)
      await store.claim(zombie, t0)
      const zombieWrites = open(zombie)
      await writes.write(zombieWrites, zombie.token)
      const taker = claim({}, t0 + LEASE_MS)
      await store.claim(taker, t0 + LEASE_MS)
      await expect(store.complete(zombie, 'null', t0 + LEASE_MS, zombieWrites)).rejects.toSatisfy(lost)
      const takerWrites = open(taker)
      await writes.write(takerWrites, taker.token)
      await store.complete(taker, 'null', t0 + LEASE_MS, takerWrites)
      expect(await writes.exists(released.token)).toBe(false)
      expect(await writes.exists(zombie.token)).toBe(false)
      expect(await writes.exists(taker.token)).toBe(true)
    },
  },
  {
    name: 'claims exactly where decideJob says run, on every seeded state',
    async run({ store }) {
      // Seeds: nothing, a live claim, a lapsed claim, a completed run, a completed run with a lapsed claim.
      const seeds = ['absent', 'live', 'lapsed', 'completed', 'completed+lapsed'] as const
      for (const seed of seeds)
        for (const request of [{}, { force: true }, { inputVersion: 'v2' }]) {
          const { key, t0, claim } = partition()
          if (seed.startsWith('completed')) {
            const done = claim()
            await store.claim(done, t0)
            await store.complete(done, 'null', t0)
          }
          if (seed !== 'absent' && seed !== 'completed') await store.claim(claim({ force: true }), t0)
          const nowEpochMs = seed.endsWith('lapsed') ? t0 + LEASE_MS : t0
          const before = await store.get(key)
          const attempt = claim(request, nowEpochMs)
          const expected = decideJob(before, attempt, nowEpochMs).kind === 'run'
          const what = `${seed} with ${JSON.stringify(request)}`
          expect({ what, claimed: (await store.claim(attempt, nowEpochMs)).claimed }).toEqual({
            what,
            claimed: expected,
          })
        }
    },
  },
]

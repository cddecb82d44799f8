import { decide } from '../decide.js'
import type { IdempotencyRecord } from '../record.js'
import {
  caseContext,
  check,
  checkRecord,
  LEASE_MS,
  mustClaim,
  mustRefuse,
  results,
  type StoreContractCase,
} from './harness.js'

/** How many claims race for one key: enough to interleave on any real store. */
const SIMULTANEOUS_CLAIMS = 10

/** Claims, replays, mismatches and reads: what `acquire`, `get` and `getMany` answer. */
export const claimCases: readonly StoreContractCase[] = [
  {
    name: 'claims an absent key and stores the claim exactly as given',
    async run(harness) {
      const ctx = caseContext(harness)
      const claim = ctx.claim(ctx.key())
      await mustClaim(ctx, claim)
      checkRecord(await ctx.store.get(claim.key), claim, 'get after a claim')
    },
  },
  {
    name: 'refuses a second claim while the lease runs, returning the record that refused it',
    async run(harness) {
      const ctx = caseContext(harness)
      const first = ctx.claim(ctx.key())
      await mustClaim(ctx, first)
      const existing = await mustRefuse(
        ctx,
        ctx.claim(first.key),
        ctx.t0 + LEASE_MS - 1,
        'the lease still runs',
      )
      checkRecord(existing, first, 'the refusing record')
      checkRecord(await ctx.store.get(first.key), first, 'the record after the refused claim')
    },
  },
  {
    name: `lets exactly one of ${SIMULTANEOUS_CLAIMS} simultaneous claims for one key win`,
    async run(harness) {
      const ctx = caseContext(harness)
      const key = ctx.key()
      const claims = Array.from({ length: SIMULTANEOUS_CLAIMS }, () => ctx.claim(key))
      const answers = await Promise.all(claims.map((claim) => ctx.acquire(claim, ctx.t0)))
      const winners = claims.filter((_claim, i) => answers[i]?.acquired)
      check(winners.length === 1, `${winners.length} of ${SIMULTANEOUS_CLAIMS} simultaneous claims won`)
      for (const answer of answers)
        if (!answer.acquired)
          checkRecord(
            answer.existing,
            winners[0],
            'a losing claim was refused by another record than the winner',
          )
      checkRecord(await ctx.store.get(key), winners[0], 'the stored claim')
    },
  },
  {
    name: 'refuses a claim on a completed key and returns the completed record with its result, for every result encoding',
    async run(harness) {
      const ctx = caseContext(harness)
      for (const result of results) {
        const claim = ctx.claim(ctx.key())
        await mustClaim(ctx, claim)
        const done = ctx.done(claim, { result })
        await ctx.store.complete(done)
        const existing = await mustRefuse(ctx, ctx.claim(claim.key), ctx.t0 + 2 * LEASE_MS, 'it is completed')
        checkRecord(existing, done, `the record a replay (${result.encoding}) is answered from`)
        checkRecord(await ctx.store.get(claim.key), done, `get of a completed record (${result.encoding})`)
      }
    },
  },
  {
    name: 'refuses a claim with another payload on a completed key, so the caller can answer a mismatch',
    async run(harness) {
      const ctx = caseContext(harness)
      const claim = ctx.claim(ctx.key())
      await mustClaim(ctx, claim)
      const done = ctx.done(claim)
      await ctx.store.complete(done)
      const other = ctx.claim(claim.key, { fingerprint: 'fingerprint-2' })
      const existing = await mustRefuse(ctx, other, ctx.t0 + 2_000, 'the key was used with another payload')
      check(decide(existing, other, ctx.t0 + 2_000).kind === 'mismatch', 'the refusing record is no mismatch')
      checkRecord(await ctx.store.get(claim.key), done, 'the completed record after a mismatch')
    },
  },
  {
    name: 'never takes over an ended lease for another payload',
    async run(harness) {
      const ctx = caseContext(harness)
      const claim = ctx.claim(ctx.key())
      await mustClaim(ctx, claim)
      const other = ctx.claim(claim.key, {
        fingerprint: 'fingerprint-2',
        leaseUntilEpochMs: ctx.t0 + 3 * LEASE_MS,
      })
      await mustRefuse(ctx, other, ctx.t0 + 2 * LEASE_MS, 'a lease is taken over by the same payload only')
      checkRecord(await ctx.store.get(claim.key), claim, 'the abandoned claim')
    },
  },
  {
    name: 'agrees with decide() on every stored state: it claims exactly when decide says execute',
    async run(harness) {
      const ctx = caseContext(harness)
      const nowMs = ctx.t0 + 2 * LEASE_MS
      const nowSeconds = Math.floor(nowMs / 1000)
      const states: [string, (key: string) => IdempotencyRecord[]][] = [
        ['a live lease', (key) => [ctx.claim(key, { leaseUntilEpochMs: nowMs + 1 })]],
        ['a lease ending now', (key) => [ctx.claim(key, { leaseUntilEpochMs: nowMs })]],
        ['a completed record', (key) => completedAt(key)],
        ['a completed record expiring now', (key) => completedAt(key, nowSeconds)],
        ['a completed record expiring next second', (key) => completedAt(key, nowSeconds + 1)],
      ]
      function completedAt(key: string, expiresAtEpochSeconds?: number): IdempotencyRecord[] {
        const claim = ctx.claim(key)
        return [claim, ctx.done(claim, expiresAtEpochSeconds === undefined ? {} : { expiresAtEpochSeconds })]
      }
      for (const [state, build] of states) {
        const steps = build(ctx.key())
        for (const step of steps)
          if (step.status === 'IN_PROGRESS') await mustClaim(ctx, step)
          else await ctx.store.complete(step)
        const stored = steps[steps.length - 1] as IdempotencyRecord
        const candidate = ctx.claim(stored.key, { leaseUntilEpochMs: nowMs + LEASE_MS })
        const expected = decide(stored, candidate, nowMs).kind === 'execute'
        const answer = await ctx.acquire(candidate, nowMs)
        check(
          answer.acquired === expected,
          `over ${state} the store ${answer.acquired ? 'claimed' : 'refused'}; decide() says ${expected ? 'claim' : 'refuse'}`,
        )
      }
    },
  },
  {
    name: 'reads one record with get and many with getMany, leaving absent keys out',
    async run(harness) {
      const ctx = caseContext(harness)
      const [a, b, absent] = [ctx.claim(ctx.key()), ctx.claim(ctx.key()), ctx.key()]
      await mustClaim(ctx, a)
      await mustClaim(ctx, b)
      check((await ctx.store.get(absent)) === undefined, 'get returned a record for a key never claimed')
      const many = await ctx.store.getMany([a.key, absent, b.key, a.key])
      check(many.size === 2 && !many.has(absent), `getMany returned ${many.size} records for 2 stored keys`)
      checkRecord(many.get(a.key), a, 'getMany')
      checkRecord(many.get(b.key), b, 'getMany')
    },
  },
]

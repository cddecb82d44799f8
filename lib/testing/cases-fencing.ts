import { isIdempotencyError } from '../errors.js'
import {
  type CaseContext,
  caseContext,
  check,
  checkRecord,
  errorOf,
  LEASE_MS,
  mustClaim,
  mustRefuse,
  type StoreContractCase,
} from './harness.js'

/** A claims; its lease ends; B takes the key over at the exact end of A's lease. */
async function takeover(ctx: CaseContext) {
  const a = ctx.claim(ctx.key())
  await mustClaim(ctx, a)
  const takeoverAtMs = a.leaseUntilEpochMs
  const b = ctx.claim(a.key, { leaseUntilEpochMs: takeoverAtMs + LEASE_MS })
  await mustClaim(ctx, b, takeoverAtMs)
  return { a, b }
}

async function checkLeaseLost(work: () => Promise<unknown>, what: string): Promise<void> {
  const error = await errorOf(work)
  check(
    isIdempotencyError(error, 'lease-lost'),
    `${what}: expected IdempotencyLeaseLostError, got ${error === undefined ? 'success' : String(error)}`,
  )
}

/** Leases, takeovers and fencing: only the token that holds a key may complete or release it. */
export const fencingCases: readonly StoreContractCase[] = [
  {
    name: 'refuses to take over a lease one millisecond before it ends',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      await mustRefuse(ctx, ctx.claim(a.key), a.leaseUntilEpochMs - 1, 'the lease has a millisecond left')
    },
  },
  {
    name: 'takes over a lease that has ended, for the same payload, storing the new claim',
    async run(harness) {
      const ctx = caseContext(harness)
      const { b } = await takeover(ctx)
      checkRecord(await ctx.store.get(b.key), b, 'the record after a takeover')
    },
  },
  {
    name: 'refuses a completion from an attempt whose lease was taken over, keeping the successor',
    async run(harness) {
      const ctx = caseContext(harness)
      const { a, b } = await takeover(ctx)
      await checkLeaseLost(() => ctx.store.complete(ctx.done(a)), 'a zombie completion')
      checkRecord(await ctx.store.get(b.key), b, 'the successor after a zombie completion')
      const bDone = ctx.done(b, { result: { encoding: 'json', json: '"B"' } })
      await ctx.store.complete(bDone)
      await checkLeaseLost(
        () => ctx.store.complete(ctx.done(a, { result: { encoding: 'json', json: '"A"' } })),
        'a zombie completion after the successor completed',
      )
      checkRecord(await ctx.store.get(b.key), bDone, "the successor's result after a zombie completion")
    },
  },
  {
    name: "refuses a release from an attempt whose lease was taken over, keeping the successor's lease",
    async run(harness) {
      const ctx = caseContext(harness)
      const { a, b } = await takeover(ctx)
      await checkLeaseLost(() => ctx.store.release(a.key, a.token), 'a zombie release')
      checkRecord(await ctx.store.get(b.key), b, 'the successor after a zombie release')
    },
  },
  {
    name: 'releases a key only with the token that holds it, after which the key is free to claim',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      await checkLeaseLost(() => ctx.store.release(a.key, 'another-token'), 'a release with another token')
      await ctx.store.release(a.key, a.token)
      check((await ctx.store.get(a.key)) === undefined, 'the record is still there after its release')
      await mustClaim(ctx, ctx.claim(a.key, { fingerprint: 'fingerprint-2' }), ctx.t0 + 1)
    },
  },
  {
    name: 'refuses to complete a claim that was released, and does not bring the record back',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      await ctx.store.release(a.key, a.token)
      await checkLeaseLost(() => ctx.store.complete(ctx.done(a)), 'a completion after release')
      check((await ctx.store.get(a.key)) === undefined, 'a completion after release recreated the record')
    },
  },
  {
    name: 'treats releasing a key that is already gone as done',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      await ctx.store.release(a.key, a.token)
      const error = await errorOf(() => ctx.store.release(a.key, a.token))
      check(error === undefined, `releasing a released key failed: ${String(error)}`)
    },
  },
  {
    name: 'completes a claim past its lease when nobody took it over: the token still holds the key',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      const done = ctx.done(a, { completedAtEpochMs: a.leaseUntilEpochMs + 5_000 })
      await ctx.store.complete(done)
      checkRecord(await ctx.store.get(a.key), done, 'a late completion nobody raced')
    },
  },
]

/** Retention: a record past `expiresAtEpochSeconds` counts as absent, even before anything deletes it. */
export const retentionCases: readonly StoreContractCase[] = [
  {
    name: 'keeps replaying a completed record until the second its retention ends, then treats it as absent',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      const expiresAtEpochSeconds = Math.floor(ctx.t0 / 1000) + 60
      await ctx.store.complete(ctx.done(a, { expiresAtEpochSeconds }))
      const lastMsRetained = expiresAtEpochSeconds * 1000 - 1
      await mustRefuse(ctx, ctx.claim(a.key), lastMsRetained, 'its retention has a millisecond left')
      const fresh = ctx.claim(a.key, { leaseUntilEpochMs: expiresAtEpochSeconds * 1000 + LEASE_MS })
      await mustClaim(ctx, fresh, expiresAtEpochSeconds * 1000)
      checkRecord(await ctx.store.get(a.key), fresh, 'the claim over an expired record')
    },
  },
  {
    name: 'lets any payload claim a key whose record is past its retention, as if it had never been used',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      const expiresAtEpochSeconds = Math.floor(ctx.t0 / 1000) + 60
      await ctx.store.complete(ctx.done(a, { expiresAtEpochSeconds }))
      const laterMs = (expiresAtEpochSeconds + 1) * 1000
      await mustClaim(
        ctx,
        ctx.claim(a.key, { fingerprint: 'fingerprint-2', leaseUntilEpochMs: laterMs + LEASE_MS }),
        laterMs,
      )
    },
  },
  {
    name: 'treats an abandoned claim past its retention as absent, for any payload',
    async run(harness) {
      const ctx = caseContext(harness)
      const expiresAtEpochSeconds = Math.floor(ctx.t0 / 1000) + 60
      const a = ctx.claim(ctx.key(), { expiresAtEpochSeconds })
      await mustClaim(ctx, a)
      const laterMs = expiresAtEpochSeconds * 1000
      await mustClaim(
        ctx,
        ctx.claim(a.key, { fingerprint: 'fingerprint-2', leaseUntilEpochMs: laterMs + LEASE_MS }),
        laterMs,
      )
    },
  },
]

import { randomUUID } from 'node:crypto'
import {
  caseContext,
  check,
  checkRecord,
  errorOf,
  mustClaim,
  type StoreContractCase,
  type StoreContractHarness,
} from './harness.js'

/** Opens own writes for a claim and writes one item or row through them, when the store joins own writes. */
async function writeOne(harness: StoreContractHarness<unknown>, claim: { key: string; token: string }) {
  const { store, ownWrites: adapter } = harness
  if (adapter === undefined || store.openOwnWrites === undefined) return undefined
  const ownWrites = store.openOwnWrites({ key: claim.key, token: claim.token })
  const id = `own-write-${randomUUID()}`
  await adapter.write(ownWrites, id)
  return { ownWrites, id, exists: () => adapter.exists(id) }
}

/**
 * A completion or release sent again after the first one landed: a timeout after the write, a connection dropped
 * after COMMIT, a durable step retried in a new invocation. The token is the same, so fencing by token alone
 * lets it through: the record's state must fence it too, and nothing may be applied twice.
 */
export const settledCases: readonly StoreContractCase[] = [
  {
    name: 'treats completing again with the token that completed the record as done, keeping the first completion',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      const first = ctx.done(a)
      await ctx.store.complete(first)
      const again = ctx.done(a, {
        completedAtEpochMs: ctx.t0 + 2_000,
        result: { encoding: 'json', json: '"sent again"' },
      })
      const error = await errorOf(() => ctx.store.complete(again))
      check(error === undefined, `completing again with the same token failed: ${String(error)}`)
      checkRecord(await ctx.store.get(a.key), first, 'the record after a completion sent again')
    },
  },
  {
    name: 'commits no own write of a completion sent again after the first one landed',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      const first = await writeOne(harness, a)
      if (first === undefined) return
      await ctx.store.complete(ctx.done(a), first.ownWrites)
      const again = await writeOne(harness, a)
      const error = await errorOf(() => ctx.store.complete(ctx.done(a), again?.ownWrites))
      check(error === undefined, `completing again with the same token failed: ${String(error)}`)
      check(await first.exists(), 'the first completion lost its own write')
      check(!(await again?.exists()), 'a completion sent again committed its own writes a second time')
    },
  },
  {
    name: 'leaves a record its token completed in place when asked to release it, committing no own write',
    async run(harness) {
      const ctx = caseContext(harness)
      const a = ctx.claim(ctx.key())
      await mustClaim(ctx, a)
      const done = ctx.done(a)
      await ctx.store.complete(done)
      const late = await writeOne(harness, a)
      const error = await errorOf(() => ctx.store.release(a.key, a.token, late?.ownWrites))
      check(error === undefined, `releasing a record this token completed failed: ${String(error)}`)
      checkRecord(await ctx.store.get(a.key), done, 'the completed record after a release with its token')
      check(!(await late?.exists()), 'a release committed an own write')
    },
  },
]

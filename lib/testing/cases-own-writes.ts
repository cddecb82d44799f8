import { randomUUID } from 'node:crypto'
import {
  type CaseContext,
  caseContext,
  check,
  checkRecord,
  errorOf,
  mustClaim,
  type OwnWritesAdapter,
  type StoreContractCase,
  type StoreContractHarness,
} from './harness.js'

interface OwnWritesCase {
  readonly ctx: CaseContext
  readonly adapter: OwnWritesAdapter<unknown>
  /** Opens own writes for `claim` and writes one item or row through them; returns both. */
  writeOne(claim: { key: string; token: string }): Promise<{ ownWrites: unknown; id: string }>
}

/** The case's context and the harness's adapter, or undefined when the store joins no own writes. */
function ownWritesCase(harness: StoreContractHarness<unknown>): OwnWritesCase | undefined {
  const { store, ownWrites: adapter } = harness
  const open = store.openOwnWrites?.bind(store)
  if (adapter === undefined || open === undefined) return undefined
  const ctx = caseContext(harness)
  return {
    ctx,
    adapter,
    async writeOne(claim) {
      const ownWrites = open({ key: claim.key, token: claim.token })
      const id = `own-write-${randomUUID()}`
      await adapter.write(ownWrites, id)
      return { ownWrites, id }
    },
  }
}

/** The handler's own writes commit with the completion or not at all, whatever ends the claim. */
export const ownWritesCases: readonly StoreContractCase[] = [
  {
    name: 'declares own writes exactly when it joins them: openOwnWrites with an adapter, neither without',
    async run(harness) {
      const { store, ownWrites } = harness
      const joins = typeof store.openOwnWrites === 'function'
      check(
        joins === (ownWrites !== undefined),
        joins
          ? 'the store has openOwnWrites, but the harness gives no ownWrites adapter to check them with'
          : 'the harness gives an ownWrites adapter, but the store has no openOwnWrites',
      )
      if (!joins)
        check(store.discardOwnWrites === undefined, 'a store that joins no own writes has discardOwnWrites')
    },
  },
  {
    name: 'commits own writes with the completion, and shows none of them before it',
    async run(harness) {
      const c = ownWritesCase(harness)
      if (c === undefined) return
      const claim = c.ctx.claim(c.ctx.key())
      await mustClaim(c.ctx, claim)
      const { ownWrites, id } = await c.writeOne(claim)
      check(!(await c.adapter.exists(id)), 'an own write was visible before the completion committed it')
      const done = c.ctx.done(claim)
      await c.ctx.store.complete(done, ownWrites)
      check(await c.adapter.exists(id), 'an own write is missing after the completion')
      checkRecord(await c.ctx.store.get(claim.key), done, 'the completed record')
    },
  },
  {
    name: 'commits no own write when the completion is refused because the lease was taken over',
    async run(harness) {
      const c = ownWritesCase(harness)
      if (c === undefined) return
      const a = c.ctx.claim(c.ctx.key())
      await mustClaim(c.ctx, a)
      const { ownWrites, id } = await c.writeOne(a)
      const b = c.ctx.claim(a.key, { leaseUntilEpochMs: a.leaseUntilEpochMs + 60_000 })
      await mustClaim(c.ctx, b, a.leaseUntilEpochMs)
      const error = await errorOf(() => c.ctx.store.complete(c.ctx.done(a), ownWrites))
      check(error !== undefined, 'a zombie completion with own writes succeeded')
      check(!(await c.adapter.exists(id)), "a zombie's own write was committed")
      checkRecord(await c.ctx.store.get(a.key), b, 'the successor after a zombie completion')
    },
  },
  {
    name: 'commits no own write on release, and frees the key',
    async run(harness) {
      const c = ownWritesCase(harness)
      if (c === undefined) return
      const claim = c.ctx.claim(c.ctx.key())
      await mustClaim(c.ctx, claim)
      const { ownWrites, id } = await c.writeOne(claim)
      await c.ctx.store.release(claim.key, claim.token, ownWrites)
      check(!(await c.adapter.exists(id)), 'an own write was committed although the claim was released')
      check((await c.ctx.store.get(claim.key)) === undefined, 'the record is still there after its release')
    },
  },
  {
    name: 'commits no own write of an abandoned claim, even after another attempt completes the key',
    async run(harness) {
      const c = ownWritesCase(harness)
      if (c === undefined) return
      const a = c.ctx.claim(c.ctx.key())
      await mustClaim(c.ctx, a)
      const { ownWrites, id } = await c.writeOne(a)
      await c.ctx.store.discardOwnWrites?.(ownWrites)
      const b = c.ctx.claim(a.key, { leaseUntilEpochMs: a.leaseUntilEpochMs + 60_000 })
      await mustClaim(c.ctx, b, a.leaseUntilEpochMs)
      const theirs = await c.writeOne(b)
      await c.ctx.store.complete(c.ctx.done(b), theirs.ownWrites)
      check(!(await c.adapter.exists(id)), "an abandoned claim's own write was committed")
      check(await c.adapter.exists(theirs.id), "the successor's own write is missing")
    },
  },
]

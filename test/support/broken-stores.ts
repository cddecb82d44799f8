import { decide } from '../../lib/decide.js'
import { IdempotencyLeaseLostError, type IdempotencyStore, InMemoryStore } from '../../lib/index.js'
import { collectedItems } from '../../lib/store/collected-writes.js'
import type { CollectedWrites } from '../../lib/store/index.js'
import type { StoreContractHarness } from '../../lib/testing/index.js'

type Store = IdempotencyStore<CollectedWrites<unknown>>

/** One deliberate break of the store contract, made by overriding part of a working InMemoryStore. */
export interface BrokenStore {
  readonly name: string
  break(store: InMemoryStore): Partial<Store>
}

/** Each is a bug a store could really ship; the contract must catch every one. */
export const BROKEN_STORES: readonly BrokenStore[] = [
  {
    name: 'completes without checking the token (no fencing)',
    break: (store) => ({
      async complete(record, ownWrites) {
        store.records.set(record.key, record)
        store.committedWrites.push(...collectedItems(ownWrites))
      },
    }),
  },
  {
    name: 'completes a released record, bringing it back',
    break: (store) => ({
      async complete(record, ownWrites) {
        const existing = store.records.get(record.key)
        if (existing !== undefined && existing.token !== record.token) throw leaseLost('complete')
        store.records.set(record.key, record)
        store.committedWrites.push(...collectedItems(ownWrites))
      },
    }),
  },
  {
    name: 'releases without checking the token',
    break: (store) => ({
      async release(key) {
        store.records.delete(key)
      },
    }),
  },
  {
    name: 'claims over a live lease',
    break: (store) => ({
      async acquire(record, nowEpochMs) {
        const existing = store.records.get(record.key)
        const kind = existing && decide(existing, record, nowEpochMs).kind
        if (existing && (kind === 'replay' || kind === 'mismatch')) return { acquired: false, existing }
        store.records.set(record.key, record)
        return { acquired: true }
      },
    }),
  },
  {
    name: 'never takes over an ended lease',
    break: (store) =>
      acquireWhen(store, (existing, record, nowMs) =>
        existing.status === 'IN_PROGRESS' &&
        existing.leaseUntilEpochMs <= nowMs &&
        existing.fingerprint === record.fingerprint
          ? false
          : undefined,
      ),
  },
  {
    name: 'takes over an ended lease whatever the payload',
    break: (store) =>
      acquireWhen(store, (existing, _record, nowMs) =>
        existing.status === 'IN_PROGRESS' && existing.leaseUntilEpochMs <= nowMs ? true : undefined,
      ),
  },
  {
    name: 'treats a record past its retention as still there',
    break: (store) =>
      acquireWhen(store, (existing, record, nowMs) => {
        if (existing.expiresAtEpochSeconds > Math.floor(nowMs / 1000)) return undefined
        const kept = { ...existing, expiresAtEpochSeconds: Number.MAX_SAFE_INTEGER }
        return decide(kept, record, nowMs).kind === 'execute'
      }),
  },
  {
    name: 'checks the key and writes the claim in two steps, so simultaneous claims can all win',
    break: (store) => ({
      async acquire(record, nowEpochMs) {
        const existing = store.records.get(record.key)
        await new Promise((resolve) => setImmediate(resolve))
        if (existing === undefined || decide(existing, record, nowEpochMs).kind === 'execute') {
          store.records.set(record.key, record)
          return { acquired: true }
        }
        return { acquired: false, existing }
      },
    }),
  },
  {
    name: 'answers a refused claim with the claim sent instead of the stored record',
    break: (store) => ({
      async acquire(record, nowEpochMs) {
        const answer = await InMemoryStore.prototype.acquire.call(store, record, nowEpochMs)
        return answer.acquired ? answer : { acquired: false, existing: record }
      },
    }),
  },
  {
    name: 'loses the stored result of a completion',
    break: (store) => ({
      async complete(record, ownWrites) {
        await InMemoryStore.prototype.complete.call(
          store,
          { ...record, result: { encoding: 'undefined' } },
          ownWrites,
        )
      },
    }),
  },
  {
    name: 'getMany reads only the first key',
    break: (store) => ({ getMany: (keys) => InMemoryStore.prototype.getMany.call(store, keys.slice(0, 1)) }),
  },
  {
    name: 'commits own writes on release',
    break: (store) => ({
      async release(key, token, ownWrites) {
        store.committedWrites.push(...collectedItems(ownWrites))
        await InMemoryStore.prototype.release.call(store, key, token)
      },
    }),
  },
  {
    name: 'commits own writes although the lease was lost',
    break: (store) => ({
      async complete(record, ownWrites) {
        store.committedWrites.push(...collectedItems(ownWrites))
        await InMemoryStore.prototype.complete.call(store, record)
      },
    }),
  },
  {
    name: 'drops own writes at completion',
    break: (store) => ({ complete: (record) => InMemoryStore.prototype.complete.call(store, record) }),
  },
  {
    name: 'commits own writes as soon as they are written',
    break: (store) => ({
      openOwnWrites: () =>
        ({
          items: [],
          add: (...writes: unknown[]) => store.committedWrites.push(...writes),
        }) as unknown as CollectedWrites<unknown>,
    }),
  },
]

const leaseLost = (operation: 'complete' | 'release') => new IdempotencyLeaseLostError(operation)

/** Overrides acquire's answer where `verdict` gives one (true: claim, false: refuse), else the working store's. */
function acquireWhen(
  store: InMemoryStore,
  verdict: (
    existing: NonNullable<ReturnType<InMemoryStore['records']['get']>>,
    record: Parameters<Store['acquire']>[0],
    nowMs: number,
  ) => boolean | undefined,
): Partial<Store> {
  return {
    async acquire(record, nowEpochMs) {
      const existing = store.records.get(record.key)
      const forced = existing === undefined ? undefined : verdict(existing, record, nowEpochMs)
      if (forced === undefined || existing === undefined)
        return InMemoryStore.prototype.acquire.call(store, record, nowEpochMs)
      if (!forced) return { acquired: false, existing }
      store.records.set(record.key, record)
      return { acquired: true }
    },
  }
}

/** A harness over the broken store, with the same own-writes adapter the working InMemoryStore is checked with. */
export function brokenHarness(broken: BrokenStore): StoreContractHarness<CollectedWrites<unknown>> {
  const inner = new InMemoryStore()
  const overrides = broken.break(inner)
  const store: Store = {
    acquire: (record, nowEpochMs) => inner.acquire(record, nowEpochMs),
    complete: (record, ownWrites) => inner.complete(record, ownWrites),
    release: (key, token) => inner.release(key, token),
    get: (key) => inner.get(key),
    getMany: (keys) => inner.getMany(keys),
    openOwnWrites: (claim) => inner.openOwnWrites(claim),
    ...overrides,
  }
  return {
    store,
    ownWrites: {
      write: (ownWrites, id) => ownWrites.add({ id }),
      exists: async (id) => inner.committedWrites.some((write) => (write as { id?: string }).id === id),
    },
  }
}

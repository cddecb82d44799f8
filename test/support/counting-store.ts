import { type IdempotencyStore, InMemoryStore } from '../../lib/index.js'

/** Wraps a store and records each call's method name, so tests can assert what a path costs. */
export function countingStore(inner: IdempotencyStore = new InMemoryStore()) {
  const calls: string[] = []
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      // Opening own writes is no call to the store: it only starts collecting them.
      if (typeof value !== 'function' || property === 'openOwnWrites') return value
      return (...args: unknown[]) => {
        calls.push(String(property))
        return value.apply(target, args)
      }
    },
  })
  return { store, calls }
}

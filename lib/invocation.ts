import type { TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { sha256 } from './fingerprint.js'
import type { InProgressRecord } from './record.js'

/** One attempt that holds a key, from claim until it completes, releases, loses its lease or fails to write. */
export interface Invocation {
  readonly key: string
  readonly token: string
  readonly fingerprint: string
  readonly extraWrites: TransactWriteItem[]
  state: 'held' | 'completed' | 'released' | 'lost' | 'failed'
}

/** What a handler may do with the key it holds. */
export interface IdempotencyHandle {
  /** The scoped, hashed record key (safe to log). */
  readonly recordKey: string
  /**
   * A key derived from the record key, the same for every retry and takeover of this request: hand it to
   * downstream APIs (a payment gateway's own idempotency key) so a crash after their call cannot repeat it.
   */
  stableKey(purpose: string): string
  /** Adds the handler's own writes to the completion: committed in one transaction with it, or not at all. */
  addToCompletion(...writes: TransactWriteItem[]): void
}

/** TransactWriteItems takes 100 actions; the completion update is one of them. */
const MAX_EXTRA_WRITES = 99

/**
 * Keyed by the invocation's own context object, so state lives exactly as long as the request. Registered on
 * globalThis because the package ships an ESM and a CommonJS build: an app that loads both (the dual-package
 * hazard) must still find from one copy the handle the other attached. The `v1` ties it to the handle's shape.
 */
const HANDLES = Symbol.for('lambda-idempotency.handles.v1')
const registry = globalThis as { [HANDLES]?: WeakMap<object, IdempotencyHandle> }
registry[HANDLES] ??= new WeakMap()
const handles = registry[HANDLES]

export function attachHandle(context: object | undefined, record: InProgressRecord): Invocation {
  const invocation: Invocation = {
    key: record.key,
    token: record.token,
    fingerprint: record.fingerprint,
    extraWrites: [],
    state: 'held',
  }
  if (context !== undefined) handles.set(context, handleFor(invocation))
  return invocation
}

function handleFor(invocation: Invocation): IdempotencyHandle {
  return {
    recordKey: invocation.key,
    stableKey: (purpose) => sha256(`${invocation.key}#${purpose}`),
    addToCompletion(...writes) {
      if (invocation.state !== 'held')
        throw new Error(`The idempotency record is already ${invocation.state}`)
      if (invocation.extraWrites.length + writes.length > MAX_EXTRA_WRITES) {
        throw new RangeError(`At most ${MAX_EXTRA_WRITES} writes can join the completion transaction`)
      }
      invocation.extraWrites.push(...writes)
    },
  }
}

/** The idempotency handle of the invocation running with this context, or undefined outside one. */
export function idempotencyOf(context: object): IdempotencyHandle | undefined {
  return handles.get(context)
}

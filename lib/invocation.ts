import type { TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { sha256 } from './fingerprint.js'
import type { InProgressRecord } from './record.js'

/**
 * One attempt that holds a key, from claim until it completes, releases, loses its lease, fails to write, or is
 * abandoned: the framework stopped waiting for a body that may still run, so the key is kept until its lease ends.
 */
export interface Invocation {
  readonly key: string
  readonly token: string
  readonly fingerprint: string
  readonly leaseUntilEpochMs: number
  /** What the store opened for the handler's own writes, once the handler asked; committed with the completion. */
  ownWrites?: unknown
  /** Opens `ownWrites` on first use; absent when the store joins none. */
  readonly openOwnWrites?: () => unknown
  /** Created on first use: most handlers never read their signal, and a controller per request costs CPU. */
  controller?: AbortController
  state: 'held' | 'completed' | 'released' | 'lost' | 'failed' | 'abandoned'
}

/** What a handler may do with the key it holds. */
export interface IdempotencyHandle {
  /** The scoped, hashed record key (safe to log). */
  readonly recordKey: string
  /**
   * Aborts when the framework stops waiting for this handler (Middy's early timeout) while it may still run:
   * start no new side effect after it fires. Unlike Middy's own signal, it belongs to this request alone.
   */
  readonly signal: AbortSignal
  /**
   * A key derived from the record key, the same for every retry and takeover of this request: hand it to
   * downstream APIs (a payment gateway's own idempotency key) so a crash after their call cannot repeat it.
   */
  stableKey(purpose: string): string
  /**
   * What the handler writes through so its own writes commit with the completion, or not at all: whatever the
   * store opens (DynamoDB and in memory: a `CollectedWrites` of TransactWriteItems; PostgreSQL: a transaction).
   * Opened on the first call; the same object after. Throws when the store joins none.
   */
  ownWrites<TOwnWrites = unknown>(): TOwnWrites
  /**
   * DynamoDB (and the in-memory store): adds writes to the completion transaction, shorthand for
   * `ownWrites<CollectedWrites<TransactWriteItem>>().add(...writes)`.
   */
  addToCompletion(...writes: TransactWriteItem[]): void
}

/**
 * Keyed by the invocation's own context object, so state lives exactly as long as the request. Registered on
 * globalThis because the package ships an ESM and a CommonJS build: an app that loads both (the dual-package
 * hazard) must still find from one copy the handle the other attached. The `v2` ties it to the entry's shape.
 */
const HANDLES = Symbol.for('lambda-idempotency.handles.v2')
/** The handles attached under one context, latest last; normally exactly one. */
type Attached = { readonly invocation: Invocation; readonly handle: IdempotencyHandle }[]
const registry = globalThis as { [HANDLES]?: WeakMap<object, Attached> }
registry[HANDLES] ??= new WeakMap()
const handles = registry[HANDLES]

const SHARED_CONTEXT =
  'Two invocations holding idempotency keys share one context object, so idempotencyOf(context) cannot tell whose handle to give. Pass each invocation its own context (Lambda always does).'

/** The parts of a claim a handle needs: its key, fencing token, fingerprint and lease. */
export type HeldClaim = Pick<InProgressRecord, 'key' | 'token' | 'fingerprint' | 'leaseUntilEpochMs'>

export function attachHandle(
  context: object | undefined,
  record: HeldClaim,
  openOwnWrites?: () => unknown,
): Invocation {
  const invocation: Invocation = {
    key: record.key,
    token: record.token,
    fingerprint: record.fingerprint,
    leaseUntilEpochMs: record.leaseUntilEpochMs,
    openOwnWrites,
    state: 'held',
  }
  if (context === undefined) return invocation
  const live = (handles.get(context) ?? []).filter(isHeld)
  handles.set(context, [...live, { invocation, handle: handleFor(invocation) }])
  return invocation
}

const isHeld = ({ invocation }: Attached[number]) => invocation.state === 'held'

/** Fires the invocation's signal: whatever the handler does from here on may outlive its answer. */
export function abortInvocation(invocation: Invocation, reason: unknown): void {
  invocation.controller ??= new AbortController()
  invocation.controller.abort(reason)
}

/** What `stableKey(purpose)` answers under a record key: for tools that find the ids a handler derived. */
export function stableKeyOf(recordKey: string, purpose: string): string {
  return sha256(`${recordKey}#${purpose}`)
}

function handleFor(invocation: Invocation): IdempotencyHandle {
  return {
    recordKey: invocation.key,
    get signal() {
      invocation.controller ??= new AbortController()
      return invocation.controller.signal
    },
    stableKey: (purpose) => stableKeyOf(invocation.key, purpose),
    ownWrites,
    addToCompletion(...writes) {
      const collected = ownWrites<{ add?: (...items: unknown[]) => void }>()
      if (typeof collected.add !== 'function')
        throw new TypeError('This store joins own writes through ownWrites(), not addToCompletion')
      collected.add(...writes)
    },
  }

  function ownWrites<TOwnWrites>(): TOwnWrites {
    if (invocation.state !== 'held') throw new Error(`The idempotency record is already ${invocation.state}`)
    if (invocation.openOwnWrites === undefined)
      throw new TypeError("This store cannot join the handler's own writes to its completion")
    invocation.ownWrites ??= invocation.openOwnWrites()
    return invocation.ownWrites as TOwnWrites
  }
}

/**
 * The idempotency handle of the invocation running with this context, or undefined outside one. Throws when
 * two invocations holding keys were given the same context object.
 */
export function idempotencyOf(context: object): IdempotencyHandle | undefined {
  const attached = handles.get(context)
  if (attached === undefined) return undefined
  const live = attached.filter(isHeld)
  // Two requests holding keys under one context (a test harness, a nested wrapper) must never write into each
  // other's completion: fail closed rather than guess. Handles already handed out stay correct.
  if (live.length > 1) throw new Error(SHARED_CONTEXT)
  return (live[0] ?? attached[attached.length - 1])?.handle
}

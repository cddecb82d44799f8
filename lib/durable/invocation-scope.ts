import { AsyncLocalStorage } from 'node:async_hooks'
import type { HeldClaim, Invocation } from '../invocation.js'
import { IdempotencyOwnWritesInStepError } from './errors.js'

/**
 * What one invocation of a durable execution learns about its claim, for the Lambda handler around the SDK's: it
 * ends the invocation's own writes, and gives back the key of an execution the SDK failed. One per invocation,
 * in async-local storage, since many invocations may run at once in one process.
 */
export interface InvocationState {
  /** The execution's claim, once the claim step's function made it, or the step was replayed. */
  claim?: HeldClaim
  /** What the handler holds and writes through in this invocation. */
  held?: Invocation
  /**
   * The SDK has answered this invocation. Code it leaves running (after a suspension, or an execution it failed
   * and goes on running) belongs to no invocation: it may write nothing more.
   */
  ended: boolean
  /** A completion attempt in this invocation failed with the handler's own writes: they went with it. */
  ownWritesSpent?: boolean
}

const invocations = new AsyncLocalStorage<InvocationState>()

export function runInvocation<T>(state: InvocationState, run: () => Promise<T>): Promise<T> {
  return invocations.run(state, run)
}

export function currentInvocation(): InvocationState {
  const state = invocations.getStore()
  if (state === undefined)
    throw new Error(
      'The durable idempotent handler ran outside the Lambda handler makeDurableIdempotent returns: export that handler itself, not wrapped in withDurableExecution.',
    )
  return state
}

/** Set while a durable operation's own code runs: a step, a child context, a branch, a callback submitter. */
const operations = new AsyncLocalStorage<true>()

/**
 * The own-writes check of a durable claim: a write is made in the handler's own code, while its invocation
 * lasts, or nowhere.
 */
export function ownWritesCheck(state: InvocationState): () => void {
  return () => {
    if (operations.getStore()) throw new IdempotencyOwnWritesInStepError()
    if (state.ended)
      throw new Error(
        'This durable invocation has ended (the SDK answered it): nothing more can be written through it.',
      )
  }
}

/**
 * The DurableContext methods whose callbacks run as durable operations: at least once per retry, and not at
 * all on a replay that finds them checkpointed. `parallel` takes its branches in an array.
 */
const OPERATIONS = new Set(['step', 'runInChildContext', 'waitForCondition', 'waitForCallback', 'map'])
const BRANCHES = 'parallel'

/**
 * The context the handler is given: the SDK's own, whose operations run their callbacks marked as inside an
 * operation, so an own write made there is refused where it is made. Every other member is the SDK's, called
 * on the SDK's object (it keeps counters the step ids depend on).
 */
export function operationAwareContext<TContext extends object>(context: TContext): TContext {
  return new Proxy(context, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      const method = value as (...args: unknown[]) => unknown
      if (property === BRANCHES)
        return (...args: unknown[]) =>
          method.apply(
            target,
            args.map((arg) => markBranches(markCallback(arg))),
          )
      if (typeof property === 'string' && OPERATIONS.has(property))
        return (...args: unknown[]) => method.apply(target, args.map(markCallback))
      return method.bind(target)
    },
  })
}

function markCallback(arg: unknown): unknown {
  if (typeof arg !== 'function') return arg
  const callback = arg as (...args: unknown[]) => unknown
  return (...args: unknown[]) => operations.run(true, () => callback(...args))
}

/** `parallel`'s branches: functions, or `{ name, func }`. */
function markBranches(arg: unknown): unknown {
  if (!Array.isArray(arg)) return arg
  return arg.map((branch: unknown) => {
    if (typeof branch === 'function') return markCallback(branch)
    const named = branch as { func?: unknown } | null
    return typeof named?.func === 'function' ? { ...named, func: markCallback(named.func) } : branch
  })
}

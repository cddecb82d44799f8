import type { Invocation } from './invocation.js'
import type { LambdaContextLike } from './options.js'
import type { IdempotencyRecord } from './record.js'

export type Begun<TResult> =
  | { readonly kind: 'execute'; readonly invocation: Invocation }
  | { readonly kind: 'replay'; readonly result: TResult }
  | { readonly kind: 'passthrough' }

/**
 * A record the caller read just before `begin` (a batch reads all its keys in one BatchGetItem): a replay,
 * mismatch or live lease in it is answered without a store call, and without waiting for the lease.
 * `record: undefined` means the key was absent when read.
 */
export interface KnownRecord {
  readonly record: IdempotencyRecord | undefined
}

/** How `run` answered: the handler ran under the claim, a stored result was replayed, or no key (unprotected). */
export interface Ran<TResult> {
  readonly kind: 'executed' | 'replay' | 'passthrough'
  readonly result: TResult
}

interface Protocol<TEvent, TResult> {
  begin(event: TEvent, context: LambdaContextLike | undefined, known?: KnownRecord): Promise<Begun<TResult>>
  complete(invocation: Invocation, result: TResult): Promise<void>
  release(invocation: Invocation): Promise<void>
}

/**
 * The one run path every wrapper takes: claim the key (or answer from the stored record), run the handler only
 * while holding it, store its result, and give the key back when it throws, so a retry runs again.
 */
export function createRunPath<TEvent, TResult>(protocol: Protocol<TEvent, TResult>) {
  /**
   * Gives the key back after the handler failed. A failed release must not hide the handler's error: the
   * engine has logged it, and the lease bounds it.
   */
  const giveBack = (invocation: Invocation): Promise<void> =>
    protocol.release(invocation).catch(() => undefined)

  /**
   * Runs `work` under a claim already held: `finish` stores its result (by default, the engine's completion),
   * a throw gives the key back and propagates.
   */
  async function runHeld<TAnswer = TResult>(
    invocation: Invocation,
    work: () => Promise<TResult>,
    finish: (invocation: Invocation, result: TResult) => Promise<TAnswer> = async (held, result) => {
      await protocol.complete(held, result)
      return result as unknown as TAnswer
    },
  ): Promise<TAnswer> {
    let result: TResult
    try {
      result = await work()
    } catch (error) {
      await giveBack(invocation)
      throw error
    }
    return finish(invocation, result)
  }

  async function run<TContext extends LambdaContextLike | undefined>(
    event: TEvent,
    context: TContext,
    handler: (event: TEvent, context: TContext) => Promise<TResult>,
    known?: KnownRecord,
  ): Promise<Ran<TResult>> {
    const begun = await protocol.begin(event, context, known)
    if (begun.kind === 'replay') return { kind: 'replay', result: begun.result }
    if (begun.kind === 'passthrough') return { kind: 'passthrough', result: await handler(event, context) }
    const result = await runHeld(begun.invocation, () => handler(event, context))
    return { kind: 'executed', result }
  }

  return { run, runHeld, giveBack }
}

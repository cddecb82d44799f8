import { createHash } from 'node:crypto'
import type { DurableContext } from '@aws/durable-execution-sdk-js'
import { idempotencyOf } from '../../lib/index.js'
import type { fakeBank } from './durable.js'
import { type ExecutionScript, STEPS, TRANSFER } from './model-durable.js'
import { newInvocationDelay } from './model-durable-clock.js'

export interface PayoutEvent {
  readonly payoutId: string
  readonly amount: number
  /** Credited by the own write: one account per key and generation, so a key reused after expiry credits anew. */
  readonly account: string
  readonly credit: boolean
  /** The execution's log in the run: not part of the payload, like the script. */
  readonly execution: number
  readonly script: ExecutionScript
}

export interface PayoutResult {
  readonly transferId: string
  readonly amount: number
  readonly account: string
}

/** What one execution did, as its handler and the runner saw it. */
export interface ExecutionLog {
  readonly index: number
  readonly key: number
  /** How many times the clock had moved past every record when it started: a reused key is a new generation. */
  readonly generation: number
  readonly event: PayoutEvent
  /** Invocations whose handler ran under the execution's claim: 0 for a replay or a refusal. */
  invocations: number
  /** The claim's fencing token, once the handler ran. */
  token?: string
  /** The handler returned its result, in some invocation. */
  returned: boolean
  /** The invocation each step's body last succeeded in: a renamed step is renamed in the ones after. */
  readonly checkpointedIn: Map<string, number>
  readonly attempts: number[]
  crashes: number
  readonly bankKeys: Set<string>
  readonly transfers: Set<string>
  status?: string
  errorType?: string
  errorMessage?: string
  result?: unknown
  runnerInvocations: number
}

export interface RunLog {
  readonly id: string
  readonly executions: ExecutionLog[]
  /** Each key's record key, read from the handle of the first execution that held it. */
  readonly recordKeys: Map<number, string>
  generation: number
  /** Added to the clock the wrapper and the cleanup read: moves every record past its expiry at once. */
  offsetMs: number
}

/** The workflow's own write, made outside steps and committed with the completion. */
export type Credit = (context: object, account: string, amount: number) => Promise<void>

export class PayoutRejectedError extends Error {
  override readonly name = 'PayoutRejectedError'
}

/** The durable wrapper's fencing token of an execution: derived from its ARN (lib/durable/durable-terms.ts). */
const tokenOf = (arn: string) => createHash('sha256').update(arn).digest('base64url')

/** A crash before the step's checkpoint: a retry strategy that retries it in a new invocation. */
const RETRIED_IN_A_NEW_INVOCATION = {
  retryStrategy: (_error: Error, attempt: number) => ({
    shouldRetry: attempt < 3,
    delay: newInvocationDelay(),
  }),
}

/**
 * The payout workflow: quote, transfer (the bank, under the key's stable key), notify, a wait after each, and
 * an own write outside steps where the script puts it. Every invocation makes the own write again when it gets
 * there; the one that completes commits it.
 */
export function payoutWorkflow(run: RunLog, bank: ReturnType<typeof fakeBank>, credit: Credit) {
  return async (event: PayoutEvent, context: DurableContext): Promise<PayoutResult> => {
    const log = run.executions[event.execution] as ExecutionLog
    const invocation = ++log.invocations
    log.token = tokenOf(context.executionContext.durableExecutionArn)
    const handle = idempotencyOf(context)
    if (handle === undefined) throw new Error('the durable handler ran without its idempotency handle')
    run.recordKeys.set(log.key, handle.recordKey)
    const { script } = event
    let transferId = ''
    for (let at = 0; at <= STEPS.length; at++) {
      if (at === script.ownWriteAt && event.credit) await credit(context, event.account, event.amount)
      if (at === STEPS.length) break
      const value = await step(at)
      if (at === TRANSFER) transferId = value
      if (script.failure === 'handler-throws' && script.failAt === at)
        throw new PayoutRejectedError(`payout ${event.payoutId} rejected after ${STEPS[at]}`)
      await context.wait(newInvocationDelay())
    }
    log.returned = true
    return { transferId, amount: event.amount, account: event.account }

    function step(at: number): Promise<string> {
      const name = STEPS[at] as string
      const failsHere = script.failAt === at
      const body = async () => {
        const attempt = (log.attempts[at] ?? 0) + 1
        log.attempts[at] = attempt
        let value = `${name} done`
        if (at === TRANSFER) {
          const stableKey = handle?.stableKey('transfer') as string
          log.bankKeys.add(stableKey)
          value = (await bank.charge(stableKey, event.amount)).chargeId
          log.transfers.add(value)
        }
        if (script.crashAt === at && attempt === 1) {
          log.crashes++
          throw new Error(`invocation crashed in ${name}, before its checkpoint`)
        }
        log.checkpointedIn.set(name, invocation)
        return value
      }
      if (failsHere && script.failure === 'context-misuse')
        // The parent context inside a child context: the SDK fails the execution.
        return context.runInChildContext(`${name} group`, () =>
          context.step(name, body, RETRIED_IN_A_NEW_INVOCATION),
        )
      // Named otherwise once checkpointed: the replay meets another name at its step id, and the SDK fails it.
      const renamed =
        failsHere &&
        script.failure === 'renamed-step' &&
        (log.checkpointedIn.get(name) ?? invocation) < invocation
      return context.step(renamed ? `${name} renamed` : name, body, RETRIED_IN_A_NEW_INVOCATION)
    }
  }
}

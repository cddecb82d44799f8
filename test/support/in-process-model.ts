import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { seededRandom } from '../../bench/workload.js'
import { createSimulatedGateway, type PaymentGateway } from '../../functions/shared/gateway.js'
import type { IdempotencyStore } from '../../lib/index.js'

/**
 * Many invocations in one Node.js process, as Lambda Managed Instances run them: one wrapper instance (one
 * engine, one local cache, one Middy `internal` object) serves every request of a round at once, on real
 * timers, against DynamoDB Local. Middy's early timeout fires for some of them while their body still runs.
 */

export type Behaviour = 'completes' | 'fails-before-effect' | 'fails-after-effect' | 'outlives-deadline'

export interface Plan {
  readonly id: number
  readonly caller: string
  readonly key: string
  readonly behaviour: Behaviour
  readonly startDelayMs: number
  readonly bodyMs: number
  /** What the Lambda context says is left; below `bodyMs` only for `outlives-deadline`. */
  readonly remainingMs: number
}

/** What every body returns: enough to tell whose execution an answer carries. */
export interface BodyResult {
  readonly execution: number
  readonly caller: string
  readonly key: string
  readonly chargeId: string
}

export type AnswerKind = 'fresh' | 'replay' | 'conflict' | 'timeout' | 'failed' | 'not-done' | 'unexpected'

export interface Answer {
  readonly plan: Plan
  readonly kind: AnswerKind
  readonly result?: BodyResult
  readonly detail?: string
}

/** A body's run, as the world saw it; `recordKey` is the scope its claim was held under. */
export interface Execution {
  readonly id: number
  readonly plan: Plan
  readonly recordKey: string
  readonly gatewayKey: string
  charged: boolean
  threwAfterEffect: boolean
}

export class BodyFailure extends Error {
  override readonly name = 'BodyFailure'
}

/** The shared world of one round: the gateway, the clock offset, and what every body did. */
export class World {
  readonly gateway: PaymentGateway
  readonly executions: Execution[] = []
  readonly problems: string[] = []
  offsetMs = 0
  private readonly running = new Map<string, number>()
  private readonly byPlan = new Map<number, Execution>()

  constructor(
    readonly store: IdempotencyStore,
    client: DynamoDBClient,
    ledgerTableName: string,
  ) {
    this.gateway = createSimulatedGateway({ client, ledgerTableName, latencyMs: 0 })
  }

  readonly now = () => Date.now() + this.offsetMs

  /** The payment body every wrapper runs: wait, charge with the stable gateway key, maybe fail around it. */
  async body(plan: Plan, recordKey: string, gatewayKey: string): Promise<BodyResult> {
    const execution: Execution = {
      id: this.executions.length + 1,
      plan,
      recordKey,
      gatewayKey,
      charged: false,
      threwAfterEffect: false,
    }
    this.executions.push(execution)
    this.byPlan.set(plan.id, execution)
    const alongside = this.running.get(recordKey) ?? 0
    if (alongside > 0)
      this.problems.push(`plan ${plan.id}: a body ran beside ${alongside} other(s) for one key`)
    this.running.set(recordKey, alongside + 1)
    try {
      await sleep(plan.bodyMs)
      if (plan.behaviour === 'fails-before-effect') throw new BodyFailure('before the charge')
      const charge = await this.gateway.charge({ gatewayKey, amount: 60_000, currency: 'INR' })
      execution.charged = true
      if (plan.behaviour === 'fails-after-effect') {
        execution.threwAfterEffect = true
        throw new BodyFailure('after the charge')
      }
      return { execution: execution.id, caller: plan.caller, key: plan.key, chargeId: charge.chargeId }
    } finally {
      this.running.set(recordKey, (this.running.get(recordKey) ?? 1) - 1)
    }
  }

  /** The body a plan's own request ran, if it ran one. */
  executionOf(plan: Plan): Execution | undefined {
    return this.byPlan.get(plan.id)
  }

  /** Resolves once no body is running any more (timed-out bodies finish after their answer). */
  async quiet(): Promise<void> {
    while ([...this.running.values()].some((count) => count > 0)) await sleep(10)
  }
}

export interface RoundSize {
  readonly callers: number
  readonly keys: number
  readonly plans: number
}

/** A round's plans from a seed: duplicates of a few keys by a few callers, arriving within ~300 ms. */
export function planRound(seed: number, size: RoundSize, middyTimeouts: boolean): Plan[] {
  const random = seededRandom(seed)
  const pick = (n: number) => Math.floor(random() * n)
  return Array.from({ length: size.plans }, (_, index) => {
    const roll = random()
    // Under Middy the round's first request always outlives its deadline, so every round provokes a timeout.
    const behaviour: Behaviour =
      middyTimeouts && (index === 0 || roll < 0.15)
        ? 'outlives-deadline'
        : roll < 0.25
          ? 'fails-before-effect'
          : roll < 0.35
            ? 'fails-after-effect'
            : 'completes'
    const bodyMs = 5 + pick(60)
    return {
      id: index + 1,
      caller: `caller-${pick(size.callers)}`,
      key: `key-${seed}-${pick(size.keys)}`,
      behaviour,
      startDelayMs: index === 0 ? 0 : pick(300),
      // Middy answers 5 ms before the deadline; a body twice the deadline is still running when it does.
      bodyMs: behaviour === 'outlives-deadline' ? 2 * (20 + bodyMs) : bodyMs,
      remainingMs: behaviour === 'outlives-deadline' ? 20 + bodyMs : 10_000,
    }
  })
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

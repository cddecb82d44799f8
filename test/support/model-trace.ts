import { type Attempt, FAULT_KINDS, type FaultKind } from './faults.js'

/** The lease of every invocation (no Lambda context bounds it); a clock jump is exactly one lease, the boundary. */
export const LEASE_MS = 10_000

export type Behaviour =
  | 'completes'
  | 'fails-before-effect'
  | 'fails-after-effect'
  | 'crashes-after-effect'
  | 'stalls-after-effect'

export interface RequestPlan {
  readonly key: number
  readonly behaviour: Behaviour
}

/** An acquire as the engine sent it; `appliedSeq` is set once DynamoDB applied the write (the key is held). */
export interface Claim {
  readonly token: string
  readonly nowEpochMs: number
  readonly leaseUntilEpochMs: number
  appliedSeq?: number
}

/** One run of the handler body, from the claim it ran under to the fate of its completion. */
export interface Execution {
  readonly id: number
  readonly actorId: number
  readonly key: string
  readonly recordKey: string
  readonly claim: Claim
  readonly startSeq: number
  /** The model clock when the handler started: its claim's lease must still run then. */
  readonly startEpochMs: number
  readonly gatewayKey: string
  readonly paymentId: string
  chargeId?: string
  result?: ModelResult
  completeAppliedSeq?: number
  releaseAppliedSeq?: number
}

/** One client request (an invocation), as the interleaver moves it. */
export interface Actor {
  readonly id: number
  readonly plan: RequestPlan
  /** Sent after the run with faults off and every lease over: it must get an answer. */
  readonly probe: boolean
  readonly arrivedAtEpochMs: number
  /** The store call under way, so the SDK middleware can tell what an applied attempt did. */
  op?: 'acquire' | 'complete' | 'release' | 'get'
  claim?: Claim
  execution?: Execution
}

export interface ModelResult {
  readonly key: string
  readonly execution: number
  readonly chargeId: string
}

export interface Answer {
  readonly actorId: number
  readonly key: string
  readonly probe: boolean
  readonly kind: 'fresh' | 'replay' | 'error'
  /** Model time between the request's arrival and its answer: clock jumps while it was in flight. */
  readonly elapsedMs: number
  readonly result?: ModelResult
  readonly error?: Error & { retryAfterSeconds?: number }
}

export interface RunSummary {
  steps: number
  clockJumps: number
  faults: Record<Exclude<FaultKind, 'none'>, number>
  /** The same faults by the store call they hit. */
  faultsOn: Record<'acquire' | 'complete' | 'release', number>
  executions: number
  takeovers: number
  zombiesRefused: number
  replays: number
  conflicts: number
  storeErrors: number
  handlerFailures: number
  crashes: number
}

export const emptySummary = (): RunSummary => ({
  steps: 0,
  clockJumps: 0,
  faults: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as RunSummary['faults'],
  faultsOn: { acquire: 0, complete: 0, release: 0 },
  executions: 0,
  takeovers: 0,
  zombiesRefused: 0,
  replays: 0,
  conflicts: 0,
  storeErrors: 0,
  handlerFailures: 0,
  crashes: 0,
})

/** Adds one run's counts to a running total. */
export function addSummary(total: RunSummary, run: RunSummary): void {
  for (const kind of FAULT_KINDS) total.faults[kind] += run.faults[kind]
  for (const op of ['acquire', 'complete', 'release'] as const) total.faultsOn[op] += run.faultsOn[op]
  for (const name of Object.keys(run) as (keyof RunSummary)[]) {
    const value = run[name]
    if (typeof value === 'number') (total[name] as number) += value
  }
}

/** Everything that happened in one run, in order: what the invariants are checked against. */
export class Trace {
  private seq = 0
  readonly log: string[] = []
  readonly executions: Execution[] = []
  readonly answers: Answer[] = []
  readonly summary = emptySummary()

  note(line: string): number {
    this.seq++
    this.log.push(`${this.seq} ${line}`)
    return this.seq
  }

  attempt(actor: Actor | undefined, attempt: Attempt): void {
    if (attempt.fault !== 'none') {
      this.summary.faults[attempt.fault]++
      if (actor?.op !== undefined && actor.op !== 'get') this.summary.faultsOn[actor.op]++
    }
    const fault = attempt.fault === 'none' ? '' : ` [${attempt.fault}]`
    const seq = this.note(`actor ${actor?.id} ${actor?.op} ${attempt.command} ${attempt.outcome}${fault}`)
    if (attempt.outcome !== 'applied' || actor === undefined) return
    if (actor.op === 'acquire' && actor.claim) actor.claim.appliedSeq ??= seq
    if (actor.op === 'complete' && actor.execution) actor.execution.completeAppliedSeq ??= seq
    if (actor.op === 'release' && actor.execution) actor.execution.releaseAppliedSeq ??= seq
  }

  execute(
    actor: Actor,
    fields: Pick<Execution, 'key' | 'recordKey' | 'gatewayKey' | 'paymentId' | 'startEpochMs'>,
  ): Execution {
    const id = this.executions.length + 1
    const claim = actor.claim ?? { token: '(none)', nowEpochMs: Number.NaN, leaseUntilEpochMs: Number.NaN }
    const startSeq = this.note(
      `actor ${actor.id} execution ${id} starts under token ${claim.token.slice(0, 8)}`,
    )
    const execution: Execution = { id, actorId: actor.id, claim, startSeq, ...fields }
    this.executions.push(execution)
    actor.execution = execution
    return execution
  }

  answer(actor: Actor, answer: Omit<Answer, 'actorId' | 'probe'>): void {
    const { kind, result, error } = answer
    this.note(`actor ${actor.id} answered ${kind} ${error?.name ?? JSON.stringify(result)}`)
    this.answers.push({ actorId: actor.id, probe: actor.probe, ...answer })
    if (kind === 'replay') this.summary.replays++
    if (error?.name === 'IdempotencyInProgressError') this.summary.conflicts++
    if (error?.name === 'IdempotencyStoreUnavailableError') this.summary.storeErrors++
    if (error?.name === 'IdempotencyLeaseLostError') this.summary.zombiesRefused++
    if (error?.name === 'HandlerFailure') this.summary.handlerFailures++
  }
}

/** What a handler throws on purpose; the wrapper releases the key. */
export class HandlerFailure extends Error {
  constructor(where: 'before' | 'after') {
    super(`handler failed ${where} its side effect (injected)`)
    this.name = 'HandlerFailure'
  }
}

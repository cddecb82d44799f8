import { randomUUID } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { createSimulatedGateway } from '../../functions/shared/gateway.js'
import { type IdempotencyStore, idempotencyOf, makeIdempotent } from '../../lib/index.js'
import { Interleaver } from './interleaver.js'
import { dynamoDBBackend, type ModelBackend } from './model-backend.js'
import { checkRun, type ModelTables } from './model-checks.js'
import type { Scenario } from './model-scenario.js'
import {
  type Actor,
  type Behaviour,
  HandlerFailure,
  LEASE_MS,
  type ModelResult,
  type RequestPlan,
  type RunSummary,
  Trace,
} from './model-trace.js'

/** A moving actor makes at most a few DynamoDB Local calls before it parks again; minutes mean a hang. */
const SETTLE_TIMEOUT_MS = 60_000

export interface ModelEnvironment {
  readonly endpoint: string
  /** A client without faults, for the gateway and for reading the final state. */
  readonly clean: DynamoDBClient
  readonly tables: ModelTables
  /** Swaps the store under test, e.g. for a deliberately unfenced one that the invariants must catch. */
  readonly storeOf?: (client: DynamoDBClient, tableName: string) => IdempotencyStore
  /** Where records and payments live; DynamoDB Local in `tables` when absent. */
  readonly backend?: ModelBackend
}

/** The run's backend: the one given, or DynamoDB Local with the environment's tables and store. */
export function backendOf(env: ModelEnvironment): ModelBackend {
  return (
    env.backend ??
    dynamoDBBackend({
      endpoint: env.endpoint,
      clean: env.clean,
      idempotencyTable: env.tables.idempotency,
      paymentsTable: env.tables.payments,
      storeOf: env.storeOf,
    })
  )
}

/** Runs one scenario through `makeIdempotent` on its backend and throws if any invariant broke. */
export async function runScenario(scenario: Scenario, env: ModelEnvironment): Promise<RunSummary> {
  const trace = new Trace()
  const moves = new Interleaver<Actor>()
  let clockEpochMs = Date.now()
  let faultsOn = true
  let nextFault = 0
  const backend = backendOf(env)
  const { store: inner, close } = backend.open({
    next: () => (faultsOn ? (scenario.faults[nextFault++] ?? 'none') : 'none'),
    pause: (label) => moves.gate(label),
    observe: (attempt) => trace.attempt(moves.actor(), attempt),
  })
  const gateway = createSimulatedGateway({
    client: env.clean,
    ledgerTableName: env.tables.ledger,
    latencyMs: 0,
  })

  async function body(event: ModelEvent, context: object): Promise<ModelResult> {
    const actor = moves.actor() as Actor
    const handle = idempotencyOf(context)
    if (handle === undefined) throw new Error('the handler ran without an idempotency handle')
    const execution = trace.execute(actor, {
      key: event.key,
      recordKey: handle.recordKey,
      gatewayKey: handle.stableKey('gateway'),
      paymentId: handle.stableKey('payment'),
      startEpochMs: clockEpochMs,
    })
    await moves.gate('handler start')
    const { behaviour } = actor.plan
    if (behaviour === 'fails-before-effect') throw new HandlerFailure('before')
    const charge = await gateway.charge({ ...event, gatewayKey: execution.gatewayKey })
    execution.chargeId = charge.chargeId
    trace.note(`actor ${actor.id} execution ${execution.id} charged ${charge.chargeId}`)
    if (behaviour === 'crashes-after-effect') trace.summary.crashes++
    await moves.gate('after effect', holdAfterEffect(behaviour))
    if (behaviour === 'fails-after-effect') throw new HandlerFailure('after')
    // Last, after every gate: on PostgreSQL the write holds row locks until the completion commits.
    await backend.writePayment(context, { paymentId: execution.paymentId, chargeId: charge.chargeId })
    execution.result = { key: event.key, execution: execution.id, chargeId: charge.chargeId }
    return execution.result
  }

  const handler = makeIdempotent(body, {
    store: observed(inner, moves),
    key: (event) => event.key,
    namespace: `adversity-${randomUUID()}`,
    leaseMs: LEASE_MS,
    now: () => clockEpochMs,
    logger: { warn: () => undefined },
  })

  const pending = [...scenario.requests]
  let actors = 0
  function arrive(plan: RequestPlan, probe = false): void {
    const actor: Actor = { id: ++actors, plan, probe, arrivedAtEpochMs: clockEpochMs }
    const key = `key-${plan.key}`
    trace.note(`actor ${actor.id} arrives for ${key} (${probe ? 'probe' : plan.behaviour})`)
    const event = { key, amount: 1_000 + plan.key, currency: 'INR' }
    void moves.spawn(actor, async () => {
      try {
        const result = await handler(event, { functionName: 'adversity' })
        const kind = actor.execution ? 'fresh' : 'replay'
        trace.answer(actor, { key, kind, result, elapsedMs: clockEpochMs - actor.arrivedAtEpochMs })
      } catch (error) {
        const elapsedMs = clockEpochMs - actor.arrivedAtEpochMs
        trace.answer(actor, { key, kind: 'error', error: error as Error, elapsedMs })
      }
    })
  }
  function jumpClock(): void {
    clockEpochMs += LEASE_MS
    moves.jumps++
    trace.summary.clockJumps++
    trace.note(`clock jumps ${LEASE_MS} ms`)
  }
  async function drain(): Promise<void> {
    for (;;) {
      await moves.settle(SETTLE_TIMEOUT_MS)
      const [first] = moves.movable()
      const plan = pending.shift()
      if (plan !== undefined) arrive(plan)
      else if (first !== undefined) moves.release(first)
      else if (moves.stalled() > 0) jumpClock()
      else return
    }
  }

  try {
    for (const step of scenario.schedule) {
      await moves.settle(SETTLE_TIMEOUT_MS)
      if (step === 'clock-jump') {
        jumpClock()
        continue
      }
      // The options: every movable gate in the order they parked, then the arrival of the next request.
      const gates = moves.movable()
      const options = gates.length + (pending.length > 0 ? 1 : 0)
      const gate = options === 0 ? undefined : gates[step % options]
      if (gate !== undefined) moves.release(gate)
      else if (options > 0) arrive(pending.shift() as RequestPlan)
    }
    await drain()
    // Every lease runs out, the faults stop, and each key is asked once more: none may stay blocked.
    jumpClock()
    faultsOn = false
    for (const key of new Set(scenario.requests.map((plan) => plan.key)))
      arrive({ key, behaviour: 'completes' }, true)
    await drain()
    trace.summary.steps = moves.steps
    trace.summary.executions = trace.executions.length
    const problems = await checkRun(trace, env)
    if (problems.length > 0) throw new Error(`${problems.join('\n')}\n--- trace ---\n${trace.log.join('\n')}`)
    return trace.summary
  } finally {
    await close()
  }
}

interface ModelEvent {
  readonly key: string
  readonly amount: number
  readonly currency: string
}

function holdAfterEffect(behaviour: Behaviour) {
  if (behaviour === 'crashes-after-effect') return 'forever'
  if (behaviour === 'stalls-after-effect') return 'until-clock-jump'
  return 'normal'
}

/** Tells the trace which store call an SDK attempt belongs to, and which claim the handler runs under. */
function observed(store: IdempotencyStore, moves: Interleaver<Actor>): IdempotencyStore {
  async function during<T>(op: NonNullable<Actor['op']>, call: () => Promise<T>): Promise<T> {
    const actor = moves.actor()
    if (actor) actor.op = op
    try {
      return await call()
    } finally {
      if (actor) actor.op = undefined
    }
  }
  return {
    acquire(record, nowEpochMs) {
      const actor = moves.actor()
      if (actor)
        actor.claim = { token: record.token, nowEpochMs, leaseUntilEpochMs: record.leaseUntilEpochMs }
      return during('acquire', () => store.acquire(record, nowEpochMs))
    },
    complete: (record, ownWrites) => during('complete', () => store.complete(record, ownWrites)),
    release: (key, token, ownWrites) => during('release', () => store.release(key, token, ownWrites)),
    openOwnWrites: store.openOwnWrites && ((claim) => store.openOwnWrites?.(claim)),
    discardOwnWrites:
      store.discardOwnWrites && ((ownWrites) => store.discardOwnWrites?.(ownWrites) ?? Promise.resolve()),
    get: (key) => during('get', () => store.get(key)),
    getMany: (keys) => store.getMany(keys),
  }
}

import { randomUUID } from 'node:crypto'
import { makeDurableIdempotent } from '../../lib/durable/index.js'
import type { IdempotencyStore } from '../../lib/index.js'
import { fakeBank, runExecution } from './durable.js'
import { silent } from './events.js'
import { type FaultHooks, type FaultKind, faultPlan } from './faults.js'
import type { DurableScenario, ExecutionScript } from './model-durable.js'
import {
  checkRun,
  checkWave,
  type DurableSummary,
  emptyDurableSummary,
  type Problem,
} from './model-durable-checks.js'
import { onServiceClock } from './model-durable-clock.js'
import {
  type Credit,
  type ExecutionLog,
  type PayoutEvent,
  type PayoutResult,
  payoutWorkflow,
  type RunLog,
} from './model-durable-workflow.js'

export type StoredRecord = Awaited<ReturnType<IdempotencyStore['get']>>

/** What the model needs of a store: a faulty one for a run, the own write, and what the checks read. */
export interface DurableBackend {
  /** The store's write commands as the fault hooks name them (claim, completion, release, commit). */
  readonly commands: readonly string[]
  /** The store of one run, its client or pool meeting `hooks`' faults. */
  open(hooks: FaultHooks): { readonly store: IdempotencyStore; close(): void }
  readonly credit: Credit
  /** The credits of `account` that committed: how many, and their total. */
  credits(account: string): Promise<{ count: number; total: number }>
  readRecord(recordKey: string): Promise<StoredRecord>
  /** One pass of the store's expiry (PostgreSQL's cleanup, DynamoDB's TTL): how many records it deleted. */
  sweep(nowEpochMs: number, recordKeys: readonly string[]): Promise<number>
  /** The store's sessions left inside a transaction, ended once counted; none on DynamoDB. */
  openTransactions(): Promise<number>
}

/** Longer than any run takes, by the clock the wrapper reads: no claim's lease ends while its execution runs. */
export const EXECUTION_TIMEOUT_SECONDS = 7 * 86_400
const TTL_SECONDS = 86_400
/** Past the longest store retry delay (300 s): every one is due at once, inside the invocation. */
const CLOCK_AHEAD_MS = 6 * 60 * 1000
/** Past every claim's lease and every completed record's retention: the next wave's claims reuse the keys. */
const AGED_MS = (EXECUTION_TIMEOUT_SECONDS + TTL_SECONDS + 60) * 1000

/**
 * Runs a scenario's waves, one after the other, each wave's executions at once on the SDK's local runner, with
 * the store's expiry sweeping beside them; checks every key after each wave, and the store's open transactions
 * after the run. Returns what happened and every broken invariant.
 */
export async function runDurableScenario(
  scenario: DurableScenario,
  backend: DurableBackend,
): Promise<{ summary: DurableSummary; problems: Problem[] }> {
  const summary = emptyDurableSummary()
  const run: RunLog = { id: randomUUID(), executions: [], recordKeys: new Map(), generation: 0, offsetMs: 0 }
  const bank = fakeBank()
  const { store, close } = backend.open(countedFaults(scenario.faults, summary))
  const handler = makeDurableIdempotent(payoutWorkflow(run, bank, backend.credit), {
    store,
    key: (event: PayoutEvent) => event.payoutId,
    payload: (event) => ({ amount: event.amount, credit: event.credit }),
    executionTimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    ttlSeconds: TTL_SECONDS,
    now: () => Date.now() + run.offsetMs,
    logger: silent,
  })
  const ahead = scenario.clockAhead ? CLOCK_AHEAD_MS : 0
  if (scenario.clockAhead) summary.runsWithClockAhead++
  const problems: Problem[] = []
  try {
    for (const wave of scenario.waves) {
      if (wave.aged) {
        run.offsetMs += AGED_MS
        run.generation++
        summary.reusedKeys += new Set(
          wave.executions.filter((e) => run.recordKeys.has(e.key)).map((e) => e.key),
        ).size
      }
      const logs = wave.executions.map((script) => newLog(run, script, scenario))
      const sweeping = sweepWhileRunning(backend, run, summary)
      await Promise.all(logs.map((log) => execute(onServiceClock(handler, ahead), log)))
      await sweeping.stop()
      problems.push(...(await checkWave(run, logs, backend, summary)))
    }
    problems.push(...(await checkRun(backend)))
  } finally {
    close()
  }
  for (const { invariant } of problems) summary.violations[invariant]++
  return { summary, problems }
}

/** The run's summary, or every broken invariant thrown, one line each. */
export async function checkedDurableRun(
  scenario: DurableScenario,
  backend: DurableBackend,
): Promise<DurableSummary> {
  const { summary, problems } = await runDurableScenario(scenario, backend)
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.invariant}: ${p.message}`).join('\n'))
  return summary
}

function newLog(run: RunLog, script: ExecutionScript, scenario: DurableScenario): ExecutionLog {
  const event: PayoutEvent = {
    payoutId: `${run.id}-${script.key}`,
    amount: script.mismatch ? 250 : 100,
    account: `${run.id}-${script.key}-g${run.generation}`,
    credit: scenario.credits[script.key] ?? false,
    execution: run.executions.length,
    script,
  }
  const log: ExecutionLog = {
    index: run.executions.length,
    key: script.key,
    generation: run.generation,
    event,
    invocations: 0,
    returned: false,
    checkpointedIn: new Map(),
    attempts: [],
    crashes: 0,
    bankKeys: new Set(),
    transfers: new Set(),
    runnerInvocations: 0,
  }
  run.executions.push(log)
  return log
}

async function execute(handler: Parameters<typeof runExecution>[0], log: ExecutionLog): Promise<void> {
  try {
    const execution = await runExecution<PayoutResult>(handler, log.event)
    log.status = execution.getStatus()
    log.runnerInvocations = execution.getInvocations().length
    if (log.status === 'SUCCEEDED') log.result = execution.getResult()
    else ({ errorType: log.errorType, errorMessage: log.errorMessage } = execution.getError())
  } catch (error) {
    // The runner itself gave up (an invocation the SDK ended for Lambda to retry): never expected here.
    log.status = 'RUNNER-FAILED'
    log.errorType = `runner: ${String(error)}`
  }
}

/** The store's expiry, in a loop beside the executions: it must delete only what has expired. */
function sweepWhileRunning(backend: DurableBackend, run: RunLog, summary: DurableSummary) {
  let sweeping = true
  const loop = (async () => {
    while (sweeping) {
      summary.cleanedUp += await backend.sweep(Date.now() + run.offsetMs, [...run.recordKeys.values()])
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  return {
    async stop() {
      sweeping = false
      await loop
    },
  }
}

/** The run's fault plan, counting each injected fault by kind and by what became of the write. */
function countedFaults(plan: DurableScenario['faults'], summary: DurableSummary): FaultHooks {
  const hooks = faultPlan(
    Object.fromEntries(Object.entries(plan).map(([c, f]) => [c, [...f]])) as Record<string, FaultKind[]>,
  )
  return {
    next: (command) => hooks.next(command),
    observe(attempt) {
      if (attempt.fault === 'none') return
      const label = `${attempt.fault} (${attempt.outcome})`
      summary.faults[label] = (summary.faults[label] ?? 0) + 1
    },
  }
}

import { isDeepStrictEqual } from 'node:util'
import type { DurableBackend, StoredRecord } from './model-durable-run.js'
import type { ExecutionLog, PayoutResult, RunLog } from './model-durable-workflow.js'

/** The invariants, by the name the totals count their violations under (0 in every run that passes). */
export type Invariant =
  | 'doubleEffects'
  | 'lostOwnWrites'
  | 'keysHeldPastBound'
  | 'transactionsLeftOpen'
  | 'results'

export interface Problem {
  readonly invariant: Invariant
  readonly message: string
}

export function emptyDurableSummary() {
  return {
    executions: 0,
    invocations: 0,
    /** Invocations after an execution's first: each began after a wait or a retry delay, with a replay. */
    suspensions: 0,
    crashes: 0,
    succeeded: 0,
    replays: 0,
    conflicts: 0,
    mismatches: 0,
    handlerFailures: 0,
    sdkFailures: 0,
    releasedAfterFailure: 0,
    /** Failed after the handler returned (a completion never stored): released as well, docs/durable.md says. */
    failedAfterReturn: 0,
    reusedKeys: 0,
    cleanedUp: 0,
    /** Runs whose store retries were due at once, inside the invocation (`clockAhead`). */
    runsWithClockAhead: 0,
    keysChecked: 0,
    faults: {} as Record<string, number>,
    violations: {
      doubleEffects: 0,
      lostOwnWrites: 0,
      keysHeldPastBound: 0,
      transactionsLeftOpen: 0,
      results: 0,
    },
  }
}
export type DurableSummary = ReturnType<typeof emptyDurableSummary>

/** Failures the SDK decides itself: the handler never sees them, and its key goes back all the same. */
const sdkFailed = (log: ExecutionLog) =>
  log.errorType === 'NonDeterministicExecutionError' || /^Context usage error/.test(log.errorMessage ?? '')

/** What an execution may end with; anything else (a store error, a lost lease, the runner giving up) is a bug. */
const EXPECTED_ERRORS = new Set([
  'IdempotencyInProgressError',
  'IdempotencyPayloadMismatchError',
  'PayoutRejectedError',
  'NonDeterministicExecutionError',
])

/** Checks every key the wave ran, over all its executions of the current generation, once the wave has ended. */
export async function checkWave(
  run: RunLog,
  wave: readonly ExecutionLog[],
  backend: DurableBackend,
  summary: DurableSummary,
): Promise<Problem[]> {
  const problems: Problem[] = []
  for (const log of wave) problems.push(...tally(log, summary))
  // Every earlier execution has ended: only one started beside it may hold the key.
  for (const log of wave.filter((l) => l.errorType === 'IdempotencyInProgressError'))
    if (!wave.some((other) => other !== log && other.key === log.key))
      problems.push({
        invariant: 'keysHeldPastBound',
        message: `execution ${log.index} conflicted with no execution running`,
      })
  for (const key of new Set(wave.map((log) => log.key))) {
    const logs = run.executions.filter((log) => log.key === key && log.generation === run.generation)
    const recordKey = run.recordKeys.get(key)
    const record = recordKey === undefined ? undefined : await backend.readRecord(recordKey)
    const credits = await backend.credits((logs[0] as ExecutionLog).event.account)
    const found = checkKey(logs, record, credits)
    // Failed executions of this wave that held the key, and hold it no more.
    const released = wave.filter(
      (l) => l.key === key && l.status === 'FAILED' && l.invocations > 0 && l.token !== heldBy(record),
    )
    summary.releasedAfterFailure += released.length
    summary.failedAfterReturn += released.filter((l) => l.returned).length
    problems.push(
      ...found.map((p) => ({ ...p, message: `key ${key} (generation ${run.generation}): ${p.message}` })),
    )
    summary.keysChecked++
  }
  return problems
}

function tally(log: ExecutionLog, summary: DurableSummary): Problem[] {
  summary.executions++
  summary.invocations += log.runnerInvocations
  summary.suspensions += Math.max(0, log.runnerInvocations - 1)
  summary.crashes += log.crashes
  if (log.status === 'SUCCEEDED') summary.succeeded++
  if (log.status === 'SUCCEEDED' && log.invocations === 0) summary.replays++
  if (log.errorType === 'IdempotencyInProgressError') summary.conflicts++
  if (log.errorType === 'IdempotencyPayloadMismatchError') summary.mismatches++
  if (log.errorType === 'PayoutRejectedError') summary.handlerFailures++
  if (sdkFailed(log)) summary.sdkFailures++
  if (log.status === 'SUCCEEDED' || sdkFailed(log) || EXPECTED_ERRORS.has(log.errorType ?? '')) return []
  return [
    {
      invariant: 'results',
      message: `execution ${log.index} ended ${log.status}: ${log.errorType} ${log.errorMessage}`,
    },
  ]
}

function checkKey(
  logs: readonly ExecutionLog[],
  record: StoredRecord,
  credits: { count: number; total: number },
): Problem[] {
  const problems: Problem[] = []
  const problem = (invariant: Invariant, message: string) => problems.push({ invariant, message })
  const stored = storedResult(record)
  for (const log of logs.filter((l) => l.status === 'SUCCEEDED')) {
    if (stored === undefined)
      problem('results', `execution ${log.index} succeeded, and no completed record holds its result`)
    else if (!isDeepStrictEqual(log.result, stored))
      problem(
        'results',
        `execution ${log.index} returned ${JSON.stringify(log.result)}, the record holds ${JSON.stringify(stored)}`,
      )
  }
  const completers = logs.filter((l) => l.status === 'SUCCEEDED' && l.invocations > 0)
  if (completers.length > 1)
    problem('doubleEffects', `${completers.length} executions ran the workflow and succeeded`)

  const credit = logs[0]?.event.credit === true
  if (stored !== undefined && credit) {
    if (credits.count === 0) problem('lostOwnWrites', "the completed execution's own write never committed")
    if (credits.count > 1) problem('doubleEffects', `the own write committed ${credits.count} times`)
    if (credits.count === 1 && credits.total !== stored.amount)
      problem('results', `the own write credited ${credits.total}, the stored result says ${stored.amount}`)
  } else if (credits.count > 0)
    problem('doubleEffects', `${credits.count} own write(s) committed without a completion that carries them`)

  const holder = record?.status === 'IN_PROGRESS' ? logs.find((l) => l.token === record.token) : undefined
  if (record?.status === 'IN_PROGRESS') {
    if (holder === undefined)
      problem('keysHeldPastBound', 'a claim is left that no finished execution of it explains')
    else if (holder.status !== 'FAILED')
      problem('keysHeldPastBound', `execution ${holder.index} ${holder.status} and left its claim`)
    else
      problem(
        'keysHeldPastBound',
        `execution ${holder.index} failed (${holder.errorType}) and still holds the key`,
      )
  }

  // The bank moves money once per key it is given: every retry, replay and execution must give it the same one.
  const bankKeys = new Set(logs.flatMap((l) => [...l.bankKeys]))
  if (bankKeys.size > 1) problem('doubleEffects', `the bank moved money under ${bankKeys.size} keys`)
  const transfers = new Set(logs.flatMap((l) => [...l.transfers]))
  if (stored !== undefined && !transfers.has(stored.transferId))
    problem('results', `the stored transfer ${stored.transferId} is not the bank's (${[...transfers]})`)
  return problems
}

/** After the run, every execution ended: no session of the store may be left inside a transaction. */
export async function checkRun(backend: DurableBackend): Promise<Problem[]> {
  const open = await backend.openTransactions()
  if (open === 0) return []
  return [
    {
      invariant: 'transactionsLeftOpen',
      message: `${open} session(s) of the store left idle in a transaction`,
    },
  ]
}

const heldBy = (record: StoredRecord) => (record?.status === 'IN_PROGRESS' ? record.token : undefined)

/** The result a completed record holds (results this small are stored as JSON, uncompressed). */
function storedResult(record: StoredRecord): PayoutResult | undefined {
  if (record?.status !== 'COMPLETED') return undefined
  if (record.result.encoding !== 'json')
    throw new Error(`unexpected result encoding ${record.result.encoding}`)
  return JSON.parse(record.result.json) as PayoutResult
}

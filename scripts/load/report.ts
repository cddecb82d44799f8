import type { LedgerCharge } from '../local-api/client.js'
import type { Call, Outcome } from './client.js'
import type { PlannedKey } from './plan.js'

export interface Latency {
  readonly p50: number
  readonly p95: number
  readonly p99: number
  readonly max: number
}

export interface LoadReport {
  readonly requests: number
  readonly keys: number
  readonly httpCalls: number
  readonly seconds: number
  /** HTTP answers per second, all statuses. */
  readonly throughput: number
  /** First attempts only: what a client without trouble sees. */
  readonly latencyMs: Latency
  /** Retries after an abort or a 409, which ask the server to wait for the in-flight twin (`Prefer: wait`). */
  readonly retryLatencyMs: Latency
  readonly statuses: Record<string, number>
  readonly replays: number
  readonly aborted: number
  readonly networkErrors: number
  /** Answers of 500 and above: must be zero. */
  readonly serverErrors: number
  /** Keys the gateway charged more than once: must be zero. */
  readonly doubleCharges: number
  /** Keys that ended without a charge or without any 201: must be zero. */
  readonly keysWithoutPayment: number
  /** Keys whose 201 answers differ (another payment or charge): must be zero. */
  readonly divergentAnswers: number
  /** Logical requests still without an answer after every retry: must be zero. */
  readonly unanswered: number
  /** Charge calls the gateway deduplicated by its key (a takeover or a retry reaching it twice). */
  readonly gatewayRepeats: number
}

/** Everything that must be zero for the run to pass, by name. */
export function failures(report: LoadReport): string[] {
  const mustBeZero = [
    'serverErrors',
    'doubleCharges',
    'keysWithoutPayment',
    'divergentAnswers',
    'unanswered',
  ] as const
  return mustBeZero.filter((name) => report[name] !== 0).map((name) => `${name}: ${report[name]}`)
}

export function buildReport(
  keys: readonly PlannedKey[],
  outcomes: readonly Outcome[],
  newCharges: readonly LedgerCharge[],
  seconds: number,
): LoadReport {
  const calls = outcomes.flatMap((outcome) => outcome.calls)
  const statuses: Record<string, number> = {}
  for (const call of calls) statuses[call.status] = (statuses[call.status] ?? 0) + 1
  const chargesByAmount = new Map<number, LedgerCharge[]>()
  for (const charge of newCharges)
    chargesByAmount.set(charge.amount, [...(chargesByAmount.get(charge.amount) ?? []), charge])
  const createdByKey = new Map<number, Set<string>>()
  for (const outcome of outcomes)
    for (const call of outcome.calls.filter((c) => c.status === 201)) {
      const bodies = createdByKey.get(outcome.request.key.index) ?? new Set<string>()
      createdByKey.set(outcome.request.key.index, bodies.add(call.body))
    }
  return {
    requests: outcomes.length,
    keys: keys.length,
    httpCalls: calls.length,
    seconds,
    throughput: calls.length / seconds,
    latencyMs: latencyOf(calls.filter((call) => !call.retry)),
    retryLatencyMs: latencyOf(calls.filter((call) => call.retry)),
    statuses,
    replays: calls.filter((call) => call.replayed).length,
    aborted: outcomes.reduce((sum, outcome) => sum + outcome.aborted, 0),
    networkErrors: outcomes.reduce((sum, outcome) => sum + outcome.networkErrors.length, 0),
    serverErrors: calls.filter((call) => call.status >= 500).length,
    doubleCharges: keys.filter((key) => (chargesByAmount.get(key.amount)?.length ?? 0) > 1).length,
    keysWithoutPayment: keys.filter(
      (key) => chargesByAmount.get(key.amount) === undefined || !createdByKey.has(key.index),
    ).length,
    divergentAnswers: [...createdByKey.values()].filter((bodies) => bodies.size > 1).length,
    unanswered: outcomes.filter((outcome) => outcome.final === undefined).length,
    gatewayRepeats: newCharges.reduce((sum, charge) => sum + charge.requests - 1, 0),
  }
}

function latencyOf(calls: readonly Call[]): Latency {
  const sorted = calls.map((call) => call.latencyMs).sort((a, b) => a - b)
  const at = (fraction: number) => percentile(sorted, fraction)
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1) ?? 0 }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number
}

export function formatReport(report: LoadReport): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`
  const line = (l: Latency) => `p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`
  return [
    `${report.requests} payments over ${report.keys} keys: ${report.httpCalls} HTTP calls in ${report.seconds.toFixed(1)} s (${report.throughput.toFixed(0)} answers/s)`,
    `latency of first attempts: ${line(report.latencyMs)}`,
    `latency of retries (Prefer: wait): ${line(report.retryLatencyMs)}`,
    `statuses ${JSON.stringify(report.statuses)}; ${report.replays} replays, ${report.aborted} client aborts, ${report.networkErrors} network errors`,
    `gateway: ${report.keys - report.keysWithoutPayment} keys charged, ${report.gatewayRepeats} repeated charge calls deduplicated`,
    `double charges ${report.doubleCharges}, 5xx answers ${report.serverErrors}, keys without a payment ${report.keysWithoutPayment}, divergent answers ${report.divergentAnswers}, unanswered ${report.unanswered}`,
  ].join('\n')
}

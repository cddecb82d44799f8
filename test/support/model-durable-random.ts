import fc from 'fast-check'
import { durableScenarios } from './model-durable.js'
import { type DurableSummary, emptyDurableSummary } from './model-durable-checks.js'
import { type DurableBackend, runDurableScenario } from './model-durable-run.js'
import { LONG_RUN, seedFromEnvironment } from './run-size.js'

/**
 * A durable run takes most of a second (every step boundary is a new invocation on the local runner): CI tries
 * 20 small ones, well within a minute on 2 cores; the long run 250 larger ones, a few minutes. `FC_RUNS`
 * overrides either.
 */
export function durableRunSize() {
  const numRuns = Number(process.env.FC_RUNS ?? (LONG_RUN ? 250 : 20))
  const shape = LONG_RUN
    ? { keys: 3, maxWaves: 4, maxConcurrent: 4 }
    : { keys: 2, maxWaves: 3, maxConcurrent: 3 }
  // Room for shrinking a failure, whose every attempt is a whole run again.
  const timeoutMs = Math.max(180_000, numRuns * 8_000)
  return { numRuns, shape, timeoutMs }
}

export type DurableTotals = DurableSummary & { runs: number }

/**
 * The randomized durable model on one store: `run` checks generated scenarios (seeded, replayable with FC_SEED
 * and FC_PATH) and adds each run's summary to `totals`, which the test file prints when it ends.
 */
export function randomizedDurableModel(label: string) {
  const totals: DurableTotals = { runs: 0, ...emptyDurableSummary() }
  const { numRuns, shape, timeoutMs } = durableRunSize()
  async function run(backend: DurableBackend): Promise<void> {
    const { seed, path } = seedFromEnvironment()
    console.log(
      `${label}: FC_SEED=${seed} ${numRuns} runs of up to ${shape.maxWaves} waves of ${shape.maxConcurrent}`,
    )
    const scenarios = durableScenarios({ ...shape, ...backend })
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { summary, problems } = await runDurableScenario(scenario, backend)
        totals.runs++
        addSummary(totals, summary)
        if (problems.length > 0)
          throw new Error(problems.map((p) => `${p.invariant}: ${p.message}`).join('\n'))
      }),
      { seed, path, numRuns, endOnFailure: false },
    )
  }
  return { totals, timeoutMs, run }
}

function addSummary(totals: DurableTotals, summary: DurableSummary): void {
  for (const [name, value] of Object.entries(summary)) {
    const field = name as keyof DurableSummary
    if (typeof value === 'number') (totals[field] as number) += value
    else addCounts(totals[field] as Record<string, number>, value)
  }
}

function addCounts(into: Record<string, number>, counts: Record<string, number>): void {
  for (const [name, count] of Object.entries(counts)) into[name] = (into[name] ?? 0) + count
}

import fc from 'fast-check'
import { type ModelEnvironment, runScenario } from './model.js'
import { type Scenario, scenarios } from './model-scenario.js'
import { addSummary, emptySummary } from './model-trace.js'
import { adversityRuns, type RunTotals, seedFromEnvironment } from './run-size.js'

/** A stalls after charging, its lease runs out, B takes over and completes, then A wakes up: a zombie. */
export const ZOMBIE_TAKEOVER: Scenario = {
  requests: [
    { key: 0, behaviour: 'stalls-after-effect' },
    { key: 0, behaviour: 'completes' },
  ],
  // A arrives and moves to its stall; the clock jumps; B arrives (option 1, A being option 0) and finishes.
  schedule: [0, 0, 0, 0, 'clock-jump', 1, 1, 1, 1, 1, 1, 1],
  faults: [],
}

/**
 * The randomized model on one store: `run` checks generated scenarios (seeded, replayable with FC_SEED and
 * FC_PATH) and adds each run's summary to `totals`, which the test file prints when it ends.
 */
export function randomizedModel(label: string) {
  const totals: RunTotals = { runs: 0, summary: emptySummary() }
  const { numRuns, maxRequests, timeoutMs } = adversityRuns()
  async function run(env: ModelEnvironment): Promise<void> {
    const { seed, path } = seedFromEnvironment()
    console.log(`${label}: FC_SEED=${seed} ${numRuns} runs of up to ${maxRequests} requests`)
    await fc.assert(
      fc.asyncProperty(scenarios({ keys: 3, maxRequests }), async (scenario) => {
        const summary = await runScenario(scenario, env)
        totals.runs++
        addSummary(totals.summary, summary)
      }),
      { seed, path, numRuns, endOnFailure: false },
    )
  }
  return { totals, timeoutMs, run }
}

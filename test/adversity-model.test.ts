import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ensureTables } from '../scripts/local-api/tables.js'
import { testDynamoDBClient } from './helpers/dynamodb.js'
import { type ModelEnvironment, runScenario } from './support/model.js'
import { type Scenario, scenarios } from './support/model-scenario.js'
import { addSummary, emptySummary, type RunSummary } from './support/model-trace.js'
import { sampleTables } from './support/outbox.js'
import { adversityRuns, type RunTotals, seedFromEnvironment } from './support/run-size.js'
import { unfencedStore } from './support/unfenced-store.js'

const clean = testDynamoDBClient()
const tables = sampleTables('adv')
let env: ModelEnvironment
const totals: RunTotals = { runs: 0, summary: emptySummary() }

beforeAll(async () => {
  await ensureTables(clean, tables)
  env = {
    endpoint: inject('dynamodbEndpoint'),
    clean,
    tables: { idempotency: tables.idempotency, ledger: tables.gatewayLedger, payments: tables.payments },
  }
})
afterAll(() => {
  console.log(`adversity model totals: ${JSON.stringify(totals)}`)
  clean.destroy()
})

function add(summary: RunSummary): void {
  totals.runs++
  addSummary(totals.summary, summary)
}

const { numRuns, maxRequests, timeoutMs } = adversityRuns()

/** A stalls after charging, its lease runs out, B takes over and completes, then A wakes up: a zombie. */
const zombie: Scenario = {
  requests: [
    { key: 0, behaviour: 'stalls-after-effect' },
    { key: 0, behaviour: 'completes' },
  ],
  // A arrives and moves to its stall; the clock jumps; B arrives (option 1, A being option 0) and finishes.
  schedule: [0, 0, 0, 0, 'clock-jump', 1, 1, 1, 1, 1, 1, 1],
  faults: [],
}

describe('the model on chosen interleavings', () => {
  it('refuses a zombie completion after a takeover, keeping the charge single and the result of the taker', async () => {
    const summary = await runScenario(zombie, env)
    expect(summary).toMatchObject({ executions: 2, takeovers: 1, zombiesRefused: 1 })
  })

  it('catches an unfenced store that lets the zombie overwrite the result (the checks can fail)', async () => {
    const run = runScenario(zombie, { ...env, storeOf: unfencedStore })
    await expect(run).rejects.toThrow(
      /not the stored one|not its owner's result|different invocations stored/,
    )
  })

  it('never runs a handler on a claim that landed after its own lease ended: it claims again and meets the taker', async () => {
    // A reads the clock and sends its claim; the clock jumps a lease; B arrives (option 1); A's write lands,
    // already expired, then B's takes the key over; both go on.
    const late: Scenario = {
      requests: [
        { key: 0, behaviour: 'completes' },
        { key: 0, behaviour: 'completes' },
      ],
      schedule: [0, 'clock-jump', 1, 0, 0],
      faults: [],
    }
    expect(await runScenario(late, env)).toMatchObject({ executions: 1, conflicts: 1 })
  })

  it.each(['timeout-after-write', 'server-error-after-write'] as const)(
    'runs the handler once when the claim landed but the client saw %s, and when the completion did',
    async (fault) => {
      const once: Scenario = { requests: [{ key: 0, behaviour: 'completes' }], schedule: [], faults: [fault] }
      const expected = { executions: 1, replays: 1, faults: { [fault]: 1 } }
      expect(await runScenario(once, env)).toMatchObject(expected)
      const late: Scenario = { ...once, faults: ['none', fault] }
      expect(await runScenario(late, env)).toMatchObject(expected)
    },
  )
})

describe('randomized invocations against DynamoDB Local with crashes, zombies and store faults', () => {
  it(
    'keeps one charge and one stored answer per key, replays it exactly, and frees every key after its lease',
    async () => {
      const { seed, path } = seedFromEnvironment()
      console.log(`adversity model: FC_SEED=${seed} ${numRuns} runs of up to ${maxRequests} requests`)
      await fc.assert(
        fc.asyncProperty(scenarios({ keys: 3, maxRequests }), async (scenario) => {
          add(await runScenario(scenario, env))
        }),
        { seed, path, numRuns, endOnFailure: false },
      )
    },
    timeoutMs,
  )
})

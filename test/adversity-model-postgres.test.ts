import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ensureTables } from '../scripts/local-api/tables.js'
import { testDynamoDBClient } from './helpers/dynamodb.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from './helpers/postgres.js'
import { type ModelEnvironment, runScenario } from './support/model.js'
import { postgresBackend, unfencedPostgresStore } from './support/model-postgres.js'
import { type Scenario, scenarios } from './support/model-scenario.js'
import { addSummary, emptySummary, type RunSummary } from './support/model-trace.js'
import { sampleTables } from './support/outbox.js'
import { adversityRuns, type RunTotals, seedFromEnvironment } from './support/run-size.js'

const clean = testDynamoDBClient()
/** Every actor of a run may hold a client at once (parked after COMMIT, before the store releases it). */
const pool = testPool(40)
const tables = sampleTables('advpg')
let env: ModelEnvironment
const totals: RunTotals = { runs: 0, summary: emptySummary() }

beforeAll(async () => {
  const idempotency = await createIdempotencyTestTable(pool, 'advpg')
  const payments = `${idempotency.split('.')[0]}.payments`
  await pool.query(`CREATE TABLE ${payments} (payment_id text PRIMARY KEY, charge_id text NOT NULL)`)
  // The gateway's ledger stays in DynamoDB Local: it plays a third party, not the store under test.
  await ensureTables(clean, tables)
  env = {
    endpoint: inject('dynamodbEndpoint'),
    clean,
    tables: { idempotency, ledger: tables.gatewayLedger, payments },
    backend: postgresBackend({ pool, idempotencyTable: idempotency, paymentsTable: payments }),
  }
})
afterAll(async () => {
  console.log(`adversity model on PostgreSQL, totals: ${JSON.stringify(totals)}`)
  await dropTestSchema(pool, env.tables.idempotency)
  await pool.end()
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

describe('the model on PostgreSQL, on chosen interleavings', () => {
  it('refuses a zombie completion after a takeover: one charge, one payment row, the result of the taker', async () => {
    const summary = await runScenario(zombie, env)
    expect(summary).toMatchObject({ executions: 2, takeovers: 1, zombiesRefused: 1 })
  })

  it('catches an unfenced PostgreSQL store that lets the zombie overwrite the result (the checks can fail here too)', async () => {
    const backend = postgresBackend({
      pool,
      idempotencyTable: env.tables.idempotency,
      paymentsTable: env.tables.payments,
      storeOf: unfencedPostgresStore,
    })
    await expect(runScenario(zombie, { ...env, backend })).rejects.toThrow(
      /not the stored one|not its owner's result|different invocations stored|payment committed with the completion is missing/,
    )
  })

  it.each(['timeout-after-write', 'server-error-after-write'] as const)(
    'keeps one execution when the connection is lost after the claim (%s), and after the completion committed',
    async (fault) => {
      const claimLost: Scenario = {
        requests: [{ key: 0, behaviour: 'completes' }],
        schedule: [],
        faults: [fault],
      }
      // Without retries in pg, the claimed key waits out its lease; the probe then takes it over once.
      expect(await runScenario(claimLost, env)).toMatchObject({ executions: 1, storeErrors: 1 })
      const commitLost: Scenario = { ...claimLost, faults: ['none', 'none', fault] }
      expect(await runScenario(commitLost, env)).toMatchObject({ executions: 1, replays: 1 })
    },
  )
})

describe('randomized invocations against PostgreSQL with crashes, zombies and lost connections', () => {
  it(
    'keeps one charge and one stored answer per key, replays it exactly, and frees every key after its lease',
    async () => {
      const { seed, path } = seedFromEnvironment()
      console.log(
        `adversity model on PostgreSQL: FC_SEED=${seed} ${numRuns} runs of up to ${maxRequests} requests`,
      )
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

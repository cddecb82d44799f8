import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ensureTables } from '../../scripts/local-api/tables.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import { type ModelEnvironment, runScenario } from '../support/model.js'
import { postgresBackend, unfencedPostgresStore } from '../support/model-postgres.js'
import { randomizedModel, ZOMBIE_TAKEOVER } from '../support/model-runs.js'
import type { Scenario } from '../support/model-scenario.js'
import { sampleTables } from '../support/outbox.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'

const clean = testDynamoDBClient()
/** Every actor of a run may hold a client at once (parked after COMMIT, before the store releases it). */
const pool = testPool(40)
const tables = sampleTables('advpg')
let env: ModelEnvironment
const model = randomizedModel('adversity model on PostgreSQL')

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
  console.log(`adversity model on PostgreSQL, totals: ${JSON.stringify(model.totals)}`)
  await dropTestSchema(pool, env.tables.idempotency)
  await pool.end()
  clean.destroy()
})

describe('the model on PostgreSQL, on chosen interleavings', () => {
  it('refuses a zombie completion after a takeover: one charge, one payment row, the result of the taker', async () => {
    const summary = await runScenario(ZOMBIE_TAKEOVER, env)
    expect(summary).toMatchObject({ executions: 2, takeovers: 1, zombiesRefused: 1 })
  })

  it('catches an unfenced PostgreSQL store that lets the zombie overwrite the result (the checks can fail here too)', async () => {
    const backend = postgresBackend({
      pool,
      idempotencyTable: env.tables.idempotency,
      paymentsTable: env.tables.payments,
      storeOf: unfencedPostgresStore,
    })
    await expect(runScenario(ZOMBIE_TAKEOVER, { ...env, backend })).rejects.toThrow(
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
    () => model.run(env),
    model.timeoutMs,
  )
})

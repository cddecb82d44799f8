import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ensureTables } from '../../scripts/local-api/tables.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import { type ModelEnvironment, runScenario } from '../support/model.js'
import { randomizedModel, ZOMBIE_TAKEOVER } from '../support/model-runs.js'
import type { Scenario } from '../support/model-scenario.js'
import { sampleTables } from '../support/outbox.js'
import { unfencedStore } from '../support/unfenced-store.js'

const clean = testDynamoDBClient()
const tables = sampleTables('adv')
let env: ModelEnvironment
const model = randomizedModel('adversity model')

beforeAll(async () => {
  await ensureTables(clean, tables)
  env = {
    endpoint: inject('dynamodbEndpoint'),
    clean,
    tables: { idempotency: tables.idempotency, ledger: tables.gatewayLedger, payments: tables.payments },
  }
})
afterAll(() => {
  console.log(`adversity model totals: ${JSON.stringify(model.totals)}`)
  clean.destroy()
})

describe('the model on chosen interleavings', () => {
  it('refuses a zombie completion after a takeover, keeping the charge single and the result of the taker', async () => {
    const summary = await runScenario(ZOMBIE_TAKEOVER, env)
    expect(summary).toMatchObject({ executions: 2, takeovers: 1, zombiesRefused: 1 })
  })

  it('catches an unfenced store that lets the zombie overwrite the result (the checks can fail)', async () => {
    const run = runScenario(ZOMBIE_TAKEOVER, { ...env, storeOf: unfencedStore })
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
    () => model.run(env),
    model.timeoutMs,
  )
})

import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatewayLedgerTableDefinition } from '../../functions/shared/tables.js'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { checkRound, emptyTotals, type InProcessTotals } from '../support/in-process-checks.js'
import { type Answer, type Plan, planRound, sleep, World } from '../support/in-process-model.js'
import { hasEarlyTimeout, WRAPPERS, type WrapperName, wrapperFor } from '../support/in-process-wrappers.js'
import { LONG_RUN, seedFromEnvironment } from '../support/run-size.js'

const client = testDynamoDBClient()
let store: DynamoDBStore
let ledgerTableName: string
const totals: InProcessTotals = emptyTotals()

beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'in-process'), client })
  ledgerTableName = await createTestTable(client, gatewayLedgerTableDefinition('unused'), 'in-process-ledger')
})
afterAll(() => {
  console.log(`in-process adversity totals: ${JSON.stringify(totals)}`)
})

/** CI: two rounds per wrapper and cache setting keeps this near 20 s; `npm run test:long` runs 40 each. */
const ROUNDS = Number(process.env.FC_RUNS ?? (LONG_RUN ? 40 : 2))
/** Leases are the Lambda's remaining time plus 2 s; an hour later every one of them has ended. */
const PAST_EVERY_LEASE_MS = 60 * 60 * 1000

async function round(name: WrapperName, cache: boolean, seed: number): Promise<string[]> {
  const world = new World(store, client, ledgerTableName)
  const invoke = wrapperFor(name, {
    world,
    namespace: `in-process-${randomUUID()}`,
    localCache: cache ? { maxEntries: 64 } : undefined,
  })
  const size = { callers: 4, keys: 3, plans: LONG_RUN ? 30 : 18 }
  const plans = planRound(seed, size, hasEarlyTimeout(name))
  const answers = await Promise.all(plans.map((plan) => sleep(plan.startDelayMs).then(() => invoke(plan))))
  await world.quiet()
  // Every lease ends; each caller and key is asked once more, as a client retrying much later would.
  world.offsetMs += PAST_EVERY_LEASE_MS
  const scopes = new Map(plans.map((plan) => [`${plan.caller}:${plan.key}`, plan]))
  const probes: Answer[] = []
  for (const [index, plan] of [...scopes.values()].entries()) {
    const probe: Plan = { ...plan, id: plans.length + index + 1, behaviour: 'completes', startDelayMs: 0 }
    probes.push(await invoke({ ...probe, bodyMs: 1, remainingMs: 10_000 }))
  }
  await world.quiet()
  return checkRound(world, answers, probes, client, ledgerTableName, totals)
}

describe('many invocations at once in one process, through every wrapper', () => {
  const { seed } = seedFromEnvironment()
  it.each(WRAPPERS.flatMap((name) => [false, true].map((cache) => [name, cache] as const)))(
    'keeps one effect per caller and key through %s (local cache: %s)',
    async (name, cache) => {
      for (let index = 0; index < ROUNDS; index++) {
        const roundSeed = (seed + index * 7919) | 0
        const problems = await round(name, cache, roundSeed)
        expect(problems, `FC_SEED=${seed} round ${index} (seed ${roundSeed})`).toEqual([])
      }
    },
    ROUNDS * 20_000,
  )

  it('counted the timeouts, conflicts and replays it was meant to provoke', () => {
    expect(totals.timeouts).toBeGreaterThan(0)
    expect(totals.conflicts).toBeGreaterThan(0)
    expect(totals.replays).toBeGreaterThan(0)
    expect(totals).toMatchObject({ doubleEffects: 0, lostRecords: 0, crossCallerReplays: 0 })
  })
})

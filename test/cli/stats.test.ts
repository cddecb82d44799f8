import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBVersionStore, makeVersioned } from '../../lib/events/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { runCli } from '../support/cli.js'
import { NAMESPACE, writeEveryState } from '../support/cli-records.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'

const client = testDynamoDBClient()
let table: string
let finishInFlight: () => Promise<unknown>

/** One record or item of every kind the table holds, each written through the library. */
beforeAll(async () => {
  table = await createIdempotencyTestTable(client, 'cli-stats')
  const store = new DynamoDBStore({ tableName: table, client })
  finishInFlight = await writeEveryState(store)

  const versions = new DynamoDBVersionStore({ tableName: table, client })
  const applyOrder = makeVersioned(async () => 'applied', {
    store: versions,
    entity: (order: { id: string; version: number }) => order,
    namespace: 'orders',
  })
  await applyOrder({ id: 'order-1', version: 3 }, {})
})

afterAll(() => finishInFlight())

const EXPECTED_STATES = { completed: 3, inProgressLeaseLive: 1, inProgressLeaseEnded: 1, expired: 1 }

describe('lambda-idempotency stats', () => {
  it('counts every record of a full scan by state, age and namespace, and the other items apart', async () => {
    const { code, stdout } = await runCli(['stats', '--table', table, '--full', '--json'])

    expect(code).toBe(0)
    const stats = JSON.parse(stdout)
    expect(stats).toMatchObject({ mode: 'full', scannedItems: 7, otherItems: 1, states: EXPECTED_STATES })
    expect(stats.ages.completed).toMatchObject({ under1Minute: 3 })
    expect(stats.ages.inProgressLeaseEnded).toMatchObject({ under1Day: 1 })
    expect(stats.ages.expired).toMatchObject({ under7Days: 1 })
    expect(stats.namespaces[NAMESPACE]).toMatchObject({ completed: 3, expired: 1, inProgressLeaseLive: 1 })
    expect(stats.namespaces['refunds-fn#handler']).toMatchObject({ inProgressLeaseEnded: 1 })
  })

  it('finds the same counts with parallel segments', async () => {
    const { code, stdout } = await runCli(['stats', '--table', table, '--full', '--segments', '3', '--json'])

    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ scannedItems: 7, states: EXPECTED_STATES })
  })

  it('reads no more than --sample items', async () => {
    const { code, stdout } = await runCli(['stats', '--table', table, '--sample', '4', '--json'])

    expect(code).toBe(0)
    const stats = JSON.parse(stdout)
    expect(stats).toMatchObject({ mode: 'sample', scannedItems: 4 })
    const counted = Object.values(stats.states as Record<string, number>).reduce((sum, n) => sum + n, 0)
    expect(counted + stats.otherItems).toBe(4)
  })

  it('reports progress on stderr as plain lines when stderr is not a terminal, one per page', async () => {
    const { code, stdout, stderr } = await runCli(['stats', '--table', table, '--full', '--page-size', '2'])

    expect(code).toBe(0)
    const lines = stderr.trim().split('\n')
    expect(lines.length).toBeGreaterThanOrEqual(4)
    expect(lines.every((line) => /^scanned \d+ items/.test(line))).toBe(true)
    expect(lines.at(-1)).toMatch(/^scanned 7 items/)
    expect(stderr).not.toContain('\r')
    expect(stdout).toMatch(/COMPLETED\s+3/)
    expect(stdout).toMatch(/IN_PROGRESS, lease ended\s+1/)
    expect(stdout).toMatch(/expired\s+1/)
  })
})

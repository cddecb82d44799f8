import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBVersionStore, makeVersioned } from '../../lib/events/index.js'
import { type CliTable, EACH_CLI_BACKEND } from '../support/cli-backends.js'
import { NAMESPACE, writeEveryState } from '../support/cli-records.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import { testPool } from '../support/postgres.js'

/**
 * What differs per store. DynamoDB: an entity version shares the table, and is counted apart; a sample comes in
 * key-hash order; the item count is DynamoDB's own estimate. PostgreSQL: only records, in record-key order,
 * counted against the row estimate ANALYZE leaves.
 */
const PER_BACKEND = {
  DynamoDB: {
    otherItems: 1,
    sampleOrder: /sample \(the first items in key-hash order.*\), 4 items/,
    progress: undefined,
    async writeMore(table: string) {
      const client = testDynamoDBClient()
      const versions = new DynamoDBVersionStore({ tableName: table, client })
      const applyOrder = makeVersioned(async () => 'applied', {
        store: versions,
        entity: (order: { id: string; version: number }) => order,
        namespace: 'orders',
      })
      await applyOrder({ id: 'order-1', version: 3 }, {})
      client.destroy()
    },
  },
  PostgreSQL: {
    otherItems: 0,
    sampleOrder: /sample \(the first rows in record-key order.*\), 4 items/,
    progress: ['scanned 2 items of ~6', 'scanned 4 items of ~6', 'scanned 6 items of ~6'],
    async writeMore(table: string) {
      const pool = testPool(1)
      await pool.query(`ANALYZE ${table}`)
      await pool.end()
    },
  },
}

const EXPECTED_STATES = { completed: 3, inProgressLeaseLive: 1, inProgressLeaseEnded: 1, expired: 1 }
const RECORDS = 6

describe.each(EACH_CLI_BACKEND)('lambda-idempotency stats on %s', (_name, backend) => {
  const { otherItems, sampleOrder, progress, writeMore } = PER_BACKEND[backend.name]
  const items = RECORDS + otherItems
  let t: CliTable
  let finishInFlight: () => Promise<unknown>

  /** One record of every state, each written through the library, then what else the store keeps. */
  beforeAll(async () => {
    t = await backend.open('cli_stats')
    finishInFlight = await writeEveryState(t.store)
    await writeMore(t.table)
  })
  afterAll(async () => {
    await finishInFlight()
    await t.close()
  })

  it('counts every record of a full read by state, age and namespace, and any other items apart', async () => {
    const { code, stdout } = await t.run('stats', ['--full', '--json'])

    expect(code).toBe(0)
    const stats = JSON.parse(stdout)
    expect(stats).toMatchObject({ mode: 'full', scannedItems: items, otherItems, states: EXPECTED_STATES })
    expect(stats.table).toBe(backend.describes(t.table))
    expect(stats.ages.completed).toMatchObject({ under1Minute: 3 })
    expect(stats.ages.inProgressLeaseEnded).toMatchObject({ under1Day: 1 })
    expect(stats.ages.expired).toMatchObject({ under7Days: 1 })
    expect(stats.namespaces[NAMESPACE]).toMatchObject({ completed: 3, expired: 1, inProgressLeaseLive: 1 })
    expect(stats.namespaces['refunds-fn#handler']).toMatchObject({ inProgressLeaseEnded: 1 })
  })

  it('reads no more than --sample items, and says in what order it took them', async () => {
    const json = await t.run('stats', ['--sample', '4', '--json'])
    const human = await t.run('stats', ['--sample', '4'])

    expect(json.code).toBe(0)
    const stats = JSON.parse(json.stdout)
    expect(stats).toMatchObject({ mode: 'sample', scannedItems: 4 })
    expect(stats.otherItems).toBeLessThanOrEqual(otherItems)
    const counted = Object.values(stats.states as Record<string, number>).reduce((sum, n) => sum + n, 0)
    expect(counted + stats.otherItems).toBe(4)
    expect(human.stdout).toMatch(sampleOrder)
  })

  it('reports progress on stderr as plain lines when stderr is not a terminal, one per page', async () => {
    const { code, stdout, stderr } = await t.run('stats', ['--full', '--page-size', '2'])

    expect(code).toBe(0)
    const lines = stderr.trim().split('\n')
    expect(lines.length).toBeGreaterThanOrEqual(Math.ceil(items / 2))
    expect(lines.every((line) => /^scanned \d+ items/.test(line))).toBe(true)
    expect(lines.at(-1)).toMatch(new RegExp(`^scanned ${items} items`))
    if (progress !== undefined) expect(lines).toEqual(progress)
    expect(stderr).not.toContain('\r')
    expect(stdout).toMatch(/COMPLETED\s+3/)
    expect(stdout).toMatch(/IN_PROGRESS, lease live\s+1/)
    expect(stdout).toMatch(/IN_PROGRESS, lease ended\s+1/)
    expect(stdout).toMatch(/expired\s+1/)
  })

  // Only DynamoDB scans in parallel segments; PostgreSQL refuses --segments (usage.test.ts).
  if (backend.name === 'DynamoDB')
    it('finds the same counts with parallel segments', async () => {
      const { code, stdout } = await t.run('stats', ['--full', '--segments', '3', '--json'])

      expect(code).toBe(0)
      expect(JSON.parse(stdout)).toMatchObject({ scannedItems: items, states: EXPECTED_STATES })
    })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from '../../lib/postgres/index.js'
import { pgCli } from '../support/cli-postgres.js'
import { NAMESPACE, writeEveryState } from '../support/cli-records.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'

const pool = testPool(4)
let table: string
let cli: ReturnType<typeof pgCli>
let finishInFlight: () => Promise<unknown>

/** One record of every state, each written through the library, then ANALYZE so the row estimate is known. */
beforeAll(async () => {
  table = await createIdempotencyTestTable(pool, 'cli_stats')
  cli = pgCli(table)
  const store = new PostgresStore({ pool, tableName: table })
  finishInFlight = await writeEveryState(store)
  await pool.query(`ANALYZE ${table}`)
})

afterAll(async () => {
  await finishInFlight()
  await dropTestSchema(pool, table)
  await pool.end()
})

const EXPECTED_STATES = { completed: 3, inProgressLeaseLive: 1, inProgressLeaseEnded: 1, expired: 1 }

describe('lambda-idempotency stats on PostgreSQL', () => {
  it('counts every row of a full read by state, age and namespace', async () => {
    const { code, stdout } = await cli('stats', ['--full', '--json'])

    expect(code).toBe(0)
    const stats = JSON.parse(stdout)
    expect(stats).toMatchObject({ mode: 'full', scannedItems: 6, otherItems: 0, states: EXPECTED_STATES })
    expect(stats.table).toContain(`PostgreSQL table ${table}`)
    expect(stats.ages.completed).toMatchObject({ under1Minute: 3 })
    expect(stats.ages.inProgressLeaseEnded).toMatchObject({ under1Day: 1 })
    expect(stats.ages.expired).toMatchObject({ under7Days: 1 })
    expect(stats.namespaces[NAMESPACE]).toMatchObject({ completed: 3, expired: 1, inProgressLeaseLive: 1 })
    expect(stats.namespaces['refunds-fn#handler']).toMatchObject({ inProgressLeaseEnded: 1 })
  })

  it('reads no more than --sample rows, and says in what order it took them', async () => {
    const json = await cli('stats', ['--sample', '4', '--json'])
    const human = await cli('stats', ['--sample', '4'])

    expect(json.code).toBe(0)
    const stats = JSON.parse(json.stdout)
    expect(stats).toMatchObject({ mode: 'sample', scannedItems: 4 })
    const counted = Object.values(stats.states as Record<string, number>).reduce((sum, n) => sum + n, 0)
    expect(counted).toBe(4)
    expect(human.stdout).toMatch(/sample \(the first rows in record-key order.*\), 4 items/)
  })

  it('reports progress on stderr, one plain line per page of --page-size rows, against the row estimate', async () => {
    const { code, stdout, stderr } = await cli('stats', ['--full', '--page-size', '2'])

    expect(code).toBe(0)
    const lines = stderr.trim().split('\n')
    expect(lines).toEqual(['scanned 2 items of ~6', 'scanned 4 items of ~6', 'scanned 6 items of ~6'])
    expect(stdout).toMatch(/COMPLETED\s+3/)
    expect(stdout).toMatch(/IN_PROGRESS, lease live\s+1/)
    expect(stdout).toMatch(/IN_PROGRESS, lease ended\s+1/)
    expect(stdout).toMatch(/expired\s+1/)
  })
})

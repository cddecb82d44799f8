import { randomUUID } from 'node:crypto'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { idempotency } from '../../lib/index.js'
import { PostgresStore, postgresTransactionOf } from '../../lib/postgres/index.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'
import { raceForOneKey } from '../support/race.js'

const ROUNDS = 10
const CONCURRENCY = 50

/** As many connections as invocations, so every claim is sent at once rather than queued for a client. */
const pool = testPool(CONCURRENCY)
let tableName: string
let paymentsTable: string
beforeAll(async () => {
  tableName = await createIdempotencyTestTable(pool, 'race')
  paymentsTable = `${tableName.split('.')[0]}.payments`
  await pool.query(`CREATE TABLE ${paymentsTable} (payment_id text PRIMARY KEY, round integer NOT NULL)`)
})
afterAll(async () => {
  await dropTestSchema(pool, tableName)
  await pool.end()
})

describe('one key under concurrency, on PostgreSQL', () => {
  it(`runs the body exactly once and commits one payment row when ${CONCURRENCY} invocations race for one key, over ${ROUNDS} rounds`, async () => {
    const store = new PostgresStore({ pool, tableName })
    for (let round = 0; round < ROUNDS; round++) {
      let executions = 0
      const handler = middy(async (event: { key: string }, context: Context) => {
        executions += 1
        await postgresTransactionOf(context).query(
          `INSERT INTO ${paymentsTable} (payment_id, round) VALUES ($1, $2)`,
          [event.key, round],
        )
        await new Promise((resolve) => setTimeout(resolve, 20))
        return { paid: event.key }
      }).use(
        idempotency({ store, key: (event: { key: string }) => event.key, logger: { warn: () => undefined } }),
      )

      const key = `race-${round}-${randomUUID()}`
      await raceForOneKey(handler, { key }, { paid: key }, CONCURRENCY)
      expect(executions, `round ${round}`).toBe(1)
      const rows = await pool.query(`SELECT round FROM ${paymentsTable} WHERE payment_id = $1`, [key])
      expect(rows.rows).toEqual([{ round }])
    }
  })
})

import { afterAll, beforeAll, describe, it } from 'vitest'
import { PostgresStore, type PostgresTransaction } from '../../lib/postgres/index.js'
import { describeStoreContract } from '../../lib/testing/index.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'

const pool = testPool()
let tableName: string
let sideTable: string
beforeAll(async () => {
  tableName = await createIdempotencyTestTable(pool)
  sideTable = `${tableName.split('.')[0]}.side_rows`
  await pool.query(`CREATE TABLE ${sideTable} (id text PRIMARY KEY)`)
})
afterAll(async () => {
  await dropTestSchema(pool, tableName)
  await pool.end()
})

describeStoreContract(
  'PostgresStore on PostgreSQL',
  () => ({
    store: new PostgresStore({ pool, tableName }),
    ownWrites: {
      write: async (transaction: PostgresTransaction, id: string) => {
        await transaction.query(`INSERT INTO ${sideTable} (id) VALUES ($1)`, [id])
      },
      exists: async (id: string) =>
        (await pool.query(`SELECT 1 FROM ${sideTable} WHERE id = $1`, [id])).rowCount === 1,
    },
  }),
  { describe, it },
)

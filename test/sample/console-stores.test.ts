import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, inject, it } from 'vitest'
import type { SampleTableNames } from '../../functions/shared/tables.js'
import { uniqueTableName } from '../support/dynamodb.js'
import { apiClient, freshKey, freshUser, startTestApi, type TestApi } from '../support/local-api.js'
import { dropTestSchema, testPool } from '../support/postgres.js'

/**
 * The gateway's ledger is a third party's: it outlives the store that made its charges. `npm start` persists it
 * in DynamoDB Local while `--postgres` keeps the records in PostgreSQL (a throwaway one, by default, gone on
 * restart). The console reconciles the charges of the store in use against that store's records, and counts
 * the others apart: never as charges no record accounts for.
 */
const pool = testPool(2)
const schemas = [1, 2].map(() => `console_${randomUUID().replaceAll('-', '')}`)
const running: TestApi[] = []

/** One ledger (and the other DynamoDB tables) for every API of the file, as one `.local/dynamodb` has. */
const tables: SampleTableNames = {
  idempotency: uniqueTableName('stores-idem'),
  payments: uniqueTableName('stores-payments'),
  gatewayLedger: uniqueTableName('stores-ledger'),
  outbox: uniqueTableName('stores-outbox'),
  fulfilments: uniqueTableName('stores-fulfilments'),
}

async function start(postgresSchema?: string): Promise<TestApi> {
  const postgres = postgresSchema && { postgres: { url: inject('databaseUrl'), schema: postgresSchema } }
  const api = await startTestApi({ tables, ...postgres })
  running.push(api)
  return api
}

afterAll(async () => {
  await Promise.all(running.map((api) => api.stop()))
  for (const schema of schemas) await dropTestSchema(pool, schema)
  await pool.end()
})

// biome-ignore lint/suspicious/noExplicitAny: the route's JSON, read as any client would
async function summaryOf(api: TestApi): Promise<any> {
  return (await apiClient(api.url).send('GET', '/_local/console/state')).json.summary
}

const pay = async (api: TestApi) =>
  expect((await apiClient(api.url).pay({ user: freshUser(), key: freshKey() })).status).toBe(201)

describe("the console's charges, per store", () => {
  it('finds no unmatched charge after a switch from DynamoDB to --postgres, or back', async () => {
    const dynamodb = await start()
    await pay(dynamodb)
    const postgres = await start(schemas[0])
    await pay(postgres)
    for (const api of [dynamodb, postgres])
      expect(await summaryOf(api)).toMatchObject({
        charges: 1,
        unmatchedCharges: 0,
        keysWithMoreThanOneCharge: 0,
        chargesOfOtherStores: 1,
      })
  })

  it('finds no unmatched charge after a restart onto a fresh PostgreSQL', async () => {
    const before = await start(schemas[1])
    await pay(before)
    const { chargesOfOtherStores } = await summaryOf(before)
    await before.stop()
    // A throwaway PostgreSQL starts empty: the store the restarted API uses has no record of the old charge.
    const after = await start(`${schemas[1]}_restarted`)
    schemas.push(`${schemas[1]}_restarted`)
    expect(await summaryOf(after)).toMatchObject({
      charges: 0,
      unmatchedCharges: 0,
      chargesOfOtherStores: chargesOfOtherStores + 1,
    })
  })
})

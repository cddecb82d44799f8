import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  type Answer,
  apiClient,
  freshKey,
  problemCode,
  startTestApi,
  type TestApi,
} from '../support/local-api.js'
import { dropTestSchema, testPool } from '../support/postgres.js'

const BURST = 50
const pool = testPool(2)
const schema = `sample_${randomUUID().replaceAll('-', '')}`
let api: TestApi

beforeAll(async () => {
  api = await startTestApi({ postgres: { url: inject('databaseUrl'), schema } })
})
afterAll(async () => {
  await api?.stop()
  await dropTestSchema(pool, schema)
  await pool.end()
})

const replayed = (answer: Answer) => answer.headers.get('idempotent-replayed') === 'true'
const paymentRows = async (paymentId: unknown) =>
  (
    await pool.query(`SELECT payment_id, charge_id, amount FROM ${schema}.payments WHERE payment_id = $1`, [
      paymentId,
    ])
  ).rows

describe('the sample with its payments in PostgreSQL (npm start -- --postgres)', () => {
  it(`commits one payment row and one charge when ${BURST} requests with one key arrive at once`, async () => {
    const client = apiClient(api.url)
    const key = freshKey()
    const answers = await Promise.all(Array.from({ length: BURST }, () => client.pay({ key })))
    const created = answers.filter((answer) => answer.status === 201)
    expect(created.length + answers.filter((answer) => answer.status === 409).length).toBe(BURST)
    expect(created.filter((answer) => !replayed(answer))).toHaveLength(1)
    const { paymentId, chargeId } = created[0]?.json ?? {}
    expect(await paymentRows(paymentId)).toEqual([
      { payment_id: paymentId, charge_id: chargeId, amount: '6000000' },
    ])
    expect((await client.charges()).filter((charge) => charge.chargeId === chargeId)).toMatchObject([
      { requests: 1 },
    ])
    expect((await client.pay({ key })).text).toBe(created[0]?.text)
  })

  it('reads the payment back from PostgreSQL, for its owner only', async () => {
    const client = apiClient(api.url)
    const created = await client.pay({ key: freshKey(), user: 'meera' })
    expect(created.status).toBe(201)
    const location = created.headers.get('location') as string
    const mine = await fetch(`${api.url}${location}`, { headers: { Authorization: 'Bearer meera' } })
    expect(mine.status).toBe(200)
    expect(await mine.json()).toEqual(created.json)
    const theirs = await fetch(`${api.url}${location}`, { headers: { Authorization: 'Bearer ravi' } })
    expect(theirs.status).toBe(404)
  })

  it('refuses the same key with another payment, leaving the first payment row alone', async () => {
    const client = apiClient(api.url)
    const key = freshKey()
    const first = await client.pay({ key })
    const other = await client.pay({ key, body: { amount: 1, currency: 'INR' } })
    expect(other.status).toBe(422)
    expect(problemCode(other)).toBe('payload-mismatch')
    expect(await paymentRows(first.json.paymentId)).toHaveLength(1)
  })
})

import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { IdempotencyInProgressError, makeIdempotent } from '../../lib/index.js'
import { PostgresStore, postgresTransactionOf } from '../../lib/postgres/index.js'
import { sha256 } from '../../lib/store/index.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'

/** Long enough that the retry before it surely meets the crashed claim, whatever the machine's load. */
const LEASE_MS = 120_000
const CHILD = new URL('../support/postgres-crash-child.ts', import.meta.url).pathname

const pool = testPool()
let tableName: string
let businessTable: string
beforeAll(async () => {
  tableName = await createIdempotencyTestTable(pool, 'crash')
  businessTable = `${tableName.split('.')[0]}.payments`
  await pool.query(`CREATE TABLE ${businessTable} (payment_id text PRIMARY KEY)`)
})
afterAll(async () => {
  await dropTestSchema(pool, tableName)
  await pool.end()
})

/** Runs the crashing Lambda in its own process and SIGKILLs it once its business row is written. */
async function crashAfterOwnSql(paymentId: string, namespace: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      CRASH_BUSINESS_TABLE: businessTable,
      CRASH_IDEMPOTENCY_TABLE: tableName,
      CRASH_NAMESPACE: namespace,
      CRASH_LEASE_MS: String(LEASE_MS),
      CRASH_PAYMENT_ID: paymentId,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  )
  const inserted = new Promise<boolean>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => line === 'inserted' && resolve(true))
    exited.then(() => resolve(false))
  })
  if (!(await inserted)) throw new Error(`the child exited before its own SQL ran:\n${stderr}`)
  child.kill('SIGKILL')
  expect(await exited).toBe('SIGKILL')
}

const rowsOf = async (paymentId: string) =>
  (await pool.query(`SELECT payment_id FROM ${businessTable} WHERE payment_id = $1`, [paymentId])).rowCount

describe('a Lambda killed between its own SQL and the completion, on PostgreSQL', () => {
  it('leaves neither the business row nor a completion; the key stays held until its lease ends, then a retry runs once and commits both', async () => {
    const paymentId = `pay_${randomUUID()}`
    const namespace = `crash-${randomUUID()}`
    await crashAfterOwnSql(paymentId, namespace)

    const store = new PostgresStore({ pool, tableName })
    expect(await rowsOf(paymentId)).toBe(0)
    const claim = await store.get(`${namespace}#${sha256(paymentId)}`)
    expect(claim?.status).toBe('IN_PROGRESS')
    expect(claim?.status === 'IN_PROGRESS' && claim.leaseUntilEpochMs).toBeGreaterThan(Date.now())

    let runs = 0
    const retry = (clockMs: number) =>
      makeIdempotent(
        async (event: { paymentId: string }, context: object) => {
          runs++
          await postgresTransactionOf(context).query(
            `INSERT INTO ${businessTable} (payment_id) VALUES ($1)`,
            [event.paymentId],
          )
          return { paymentId: event.paymentId, charged: true }
        },
        {
          store,
          key: (event) => event.paymentId,
          namespace,
          leaseMs: LEASE_MS,
          now: () => Date.now() + clockMs,
        },
      )({ paymentId }, { functionName: 'crash' })

    await expect(retry(0)).rejects.toBeInstanceOf(IdempotencyInProgressError)
    expect(runs).toBe(0)
    await expect(retry(LEASE_MS)).resolves.toEqual({ paymentId, charged: true })
    await expect(retry(LEASE_MS)).resolves.toEqual({ paymentId, charged: true })
    expect(runs).toBe(1)
    expect(await rowsOf(paymentId)).toBe(1)
    expect((await store.get(`${namespace}#${sha256(paymentId)}`))?.status).toBe('COMPLETED')
  })
})

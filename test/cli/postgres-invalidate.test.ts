import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from '../../lib/postgres/index.js'
import { runCli, startCli } from '../support/cli.js'
import { databaseUrl } from '../support/cli-postgres.js'
import {
  chargeHandler,
  chargeInFlight,
  durableExecution,
  FUNCTION_NAME,
  freshPaymentId,
  OPERATION,
  recordKeyFor,
  untilStored,
} from '../support/cli-records.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'

const pool = testPool(4)
let table: string
let store: PostgresStore
beforeAll(async () => {
  table = await createIdempotencyTestTable(pool, 'cli_invalidate')
  store = new PostgresStore({ pool, tableName: table })
})
afterAll(async () => {
  await dropTestSchema(pool, table)
  await pool.end()
})

const argsFor = (paymentId: string, ...more: string[]) => [
  'invalidate',
  '--database-url',
  databaseUrl(),
  '--table',
  table,
  '--function',
  FUNCTION_NAME,
  '--operation',
  OPERATION,
  '--key',
  paymentId,
  ...more,
]

const MINUTE_MS = 60_000
const HOUR_MS = 3_600_000

describe('lambda-idempotency invalidate on PostgreSQL', () => {
  it('with --yes deletes a completed row, so the next request with the key runs the handler again', async () => {
    const paymentId = freshPaymentId()
    const { charge, counter } = chargeHandler(store)
    await charge({ paymentId, amount: 4200 })

    const { code, stdout } = await runCli(argsFor(paymentId, '--yes'))
    await charge({ paymentId, amount: 4200 })

    expect(code).toBe(0)
    expect(stdout).toContain(`Deleted ${recordKeyFor(paymentId)}`)
    expect(counter.runs).toBe(2)
  })

  it('asks first, explains the consequence, and deletes nothing when the answer is no', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(store).charge({ paymentId, amount: 1 })

    const { code, stderr } = await runCli(argsFor(paymentId), { input: 'n' })

    expect(code).toBe(1)
    expect(stderr).toContain('Store       PostgreSQL table')
    expect(stderr).toContain('the next request with this key runs the handler again')
    expect(stderr).toContain('Nothing was deleted')
    expect((await store.get(recordKeyFor(paymentId)))?.status).toBe('COMPLETED')
  })

  it('deletes when the operator answers yes, and deletes nothing when stdin closes without an answer', async () => {
    const [answered, unanswered] = [freshPaymentId(), freshPaymentId()]
    await chargeHandler(store).charge({ paymentId: answered, amount: 1 })
    await chargeHandler(store).charge({ paymentId: unanswered, amount: 1 })

    const yes = await runCli(argsFor(answered), { input: 'yes' })
    const closed = await runCli(argsFor(unanswered))

    expect(yes.code).toBe(0)
    expect(await store.get(recordKeyFor(answered))).toBeUndefined()
    expect(closed.code).toBe(1)
    expect(closed.stderr).toContain('--yes')
    expect(await store.get(recordKeyFor(unanswered))).toBeDefined()
  })

  it('refuses to delete while a lease is live, since the handler may be running right now', async () => {
    const paymentId = freshPaymentId()
    const inFlight = chargeInFlight(store, paymentId)
    await untilStored(store, recordKeyFor(paymentId))

    const { code, stderr } = await runCli(argsFor(paymentId, '--yes'))
    const stillHeld = await store.get(recordKeyFor(paymentId))
    inFlight.finish()
    await inFlight.settled

    expect(code).toBe(1)
    expect(stderr).toMatch(/lease is live/)
    expect(stderr).toContain('--force')
    expect(stillHeld?.status).toBe('IN_PROGRESS')
  })

  it('with --force deletes a live lease; the running attempt then finds its key gone', async () => {
    const paymentId = freshPaymentId()
    const inFlight = chargeInFlight(store, paymentId)
    await untilStored(store, recordKeyFor(paymentId))

    const { code, stdout } = await runCli(argsFor(paymentId, '--force', '--yes', '--json'))
    inFlight.finish()
    const outcome = await inFlight.settled

    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({
      recordKey: recordKeyFor(paymentId),
      deleted: true,
      previousState: 'IN_PROGRESS',
      alreadyGone: false,
    })
    expect(outcome.ok).toBe(false)
    expect(await store.get(recordKeyFor(paymentId))).toBeUndefined()
  })

  it('deletes nothing when the record completed, under the same token, between reading it and the answer', async () => {
    const paymentId = freshPaymentId()
    const inFlight = chargeInFlight(store, paymentId)
    await untilStored(store, recordKeyFor(paymentId))

    const cli = await startCli(argsFor(paymentId, '--force'))
    await cli.stderrShows('[y/N]')
    inFlight.finish()
    await inFlight.settled
    cli.answer('y')
    const { code, stderr } = await cli.done

    expect(code).toBe(1)
    expect(stderr).toContain('changed since it was read')
    expect((await store.get(recordKeyFor(paymentId)))?.status).toBe('COMPLETED')
  })

  it('says the record was already gone when another operator deleted it first', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(store).charge({ paymentId, amount: 1 })

    const cli = await startCli(argsFor(paymentId))
    await cli.stderrShows('[y/N]')
    await pool.query(`DELETE FROM ${table} WHERE key = $1`, [recordKeyFor(paymentId)])
    cli.answer('y')
    const { code, stdout } = await cli.done

    expect(code).toBe(0)
    expect(stdout).toContain('(it was already gone)')
  })

  it('with --force deletes nothing when the same token claimed the key again, with a fresh lease, after it was read', async () => {
    const paymentId = freshPaymentId()
    const execution = durableExecution(store, paymentId)
    await execution.claim(Date.now() - 2 * MINUTE_MS)

    const cli = await startCli(argsFor(paymentId, '--force'))
    await cli.stderrShows('[y/N]')
    await execution.claim(Date.now())
    cli.answer('y')
    const { code, stderr } = await cli.done

    expect(code).toBe(1)
    expect(stderr).toContain('changed since it was read')
    expect((await store.get(recordKeyFor(paymentId)))?.status).toBe('IN_PROGRESS')
  })

  it('deletes nothing when the same token completed the key again, after its retention, since it was read', async () => {
    const paymentId = freshPaymentId()
    const execution = durableExecution(store, paymentId, 3_600)
    await execution.claim(Date.now() - 3 * HOUR_MS)
    await execution.complete(Date.now() - 3 * HOUR_MS)

    const cli = await startCli(argsFor(paymentId))
    await cli.stderrShows('[y/N]')
    await execution.claim(Date.now())
    await execution.complete(Date.now())
    cli.answer('y')
    const { code, stderr } = await cli.done

    expect(code).toBe(1)
    expect(stderr).toContain('changed since it was read')
    const record = await store.get(recordKeyFor(paymentId))
    expect(record?.status === 'COMPLETED' && record.completedAtEpochMs).toBeGreaterThan(Date.now() - HOUR_MS)
  })
})

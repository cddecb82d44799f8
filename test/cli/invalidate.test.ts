import { beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBStore } from '../../lib/index.js'
import { runCli, startCli } from '../support/cli.js'
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
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'

const client = testDynamoDBClient()
let table: string
let store: DynamoDBStore
beforeAll(async () => {
  table = await createIdempotencyTestTable(client, 'cli-invalidate')
  store = new DynamoDBStore({ tableName: table, client })
})

const argsFor = (paymentId: string, ...more: string[]) => [
  'invalidate',
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

describe('lambda-idempotency invalidate', () => {
  it('with --yes deletes a completed record, so the next request with the key runs the handler again', async () => {
    const paymentId = freshPaymentId()
    const { charge, counter } = chargeHandler(store)
    await charge({ paymentId, amount: 4200 })

    const { code, stdout } = await runCli(argsFor(paymentId, '--yes'))
    await charge({ paymentId, amount: 4200 })

    expect(code).toBe(0)
    expect(stdout).toContain(`Deleted ${recordKeyFor(paymentId)}`)
    expect(counter.runs).toBe(2)
  })

  it('asks first, explains that the next request runs again, and deletes nothing when the answer is no', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(store).charge({ paymentId, amount: 1 })

    const { code, stderr } = await runCli(argsFor(paymentId), { input: 'n' })

    expect(code).toBe(1)
    expect(stderr).toContain('the next request with this key runs the handler again')
    expect(stderr).toContain('Nothing was deleted')
    expect((await store.get(recordKeyFor(paymentId)))?.status).toBe('COMPLETED')
  })

  it('deletes when the operator answers yes', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(store).charge({ paymentId, amount: 1 })

    const { code } = await runCli(argsFor(paymentId), { input: 'yes' })

    expect(code).toBe(0)
    expect(await store.get(recordKeyFor(paymentId))).toBeUndefined()
  })

  it('deletes nothing when stdin closes without an answer (a pipe, a cron job) and says to pass --yes', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(store).charge({ paymentId, amount: 1 })

    const { code, stderr } = await runCli(argsFor(paymentId))

    expect(code).toBe(1)
    expect(stderr).toContain('--yes')
    expect(await store.get(recordKeyFor(paymentId))).toBeDefined()
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
    expect(JSON.parse(stdout)).toMatchObject({ recordKey: recordKeyFor(paymentId), deleted: true })
    expect(outcome.ok).toBe(false)
    expect(await store.get(recordKeyFor(paymentId))).toBeUndefined()
  })

  it('deletes nothing when the record completed between reading it and the confirmation', async () => {
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

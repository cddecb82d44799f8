import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliTable, EACH_CLI_BACKEND } from '../support/cli-backends.js'
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

const byKey = (paymentId: string, ...more: string[]) => [
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

describe.each(EACH_CLI_BACKEND)('lambda-idempotency invalidate on %s', (_name, backend) => {
  let t: CliTable
  beforeAll(async () => {
    t = await backend.open('cli_invalidate')
  })
  afterAll(() => t.close())
  const invalidate = (paymentId: string, more: string[] = [], input?: string) =>
    t.run('invalidate', byKey(paymentId, ...more), input === undefined ? {} : { input })

  it('with --yes deletes a completed record, so the next request with the key runs the handler again', async () => {
    const paymentId = freshPaymentId()
    const { charge, counter } = chargeHandler(t.store)
    await charge({ paymentId, amount: 4200 })

    const { code, stdout } = await invalidate(paymentId, ['--yes'])
    await charge({ paymentId, amount: 4200 })

    expect(code).toBe(0)
    expect(stdout).toContain(`Deleted ${recordKeyFor(paymentId)}`)
    expect(counter.runs).toBe(2)
  })

  it('asks first, names the store, explains that the next request runs again, and deletes nothing on no', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(t.store).charge({ paymentId, amount: 1 })

    const { code, stderr } = await invalidate(paymentId, [], 'n')

    expect(code).toBe(1)
    expect(stderr).toContain(`Store       ${backend.describes(t.table)}\n`)
    expect(stderr).toContain('the next request with this key runs the handler again')
    expect(stderr).toContain('Nothing was deleted')
    expect((await t.store.get(recordKeyFor(paymentId)))?.status).toBe('COMPLETED')
  })

  it('deletes when the operator answers yes', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(t.store).charge({ paymentId, amount: 1 })

    const { code } = await invalidate(paymentId, [], 'yes')

    expect(code).toBe(0)
    expect(await t.store.get(recordKeyFor(paymentId))).toBeUndefined()
  })

  it('deletes nothing when stdin closes without an answer (a pipe, a cron job) and says to pass --yes', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(t.store).charge({ paymentId, amount: 1 })

    const { code, stderr } = await invalidate(paymentId)

    expect(code).toBe(1)
    expect(stderr).toContain('--yes')
    expect(await t.store.get(recordKeyFor(paymentId))).toBeDefined()
  })

  it('refuses to delete while a lease is live, since the handler may be running right now', async () => {
    const paymentId = freshPaymentId()
    const inFlight = chargeInFlight(t.store, paymentId)
    await untilStored(t.store, recordKeyFor(paymentId))

    const { code, stderr } = await invalidate(paymentId, ['--yes'])
    const stillHeld = await t.store.get(recordKeyFor(paymentId))
    inFlight.finish()
    await inFlight.settled

    expect(code).toBe(1)
    expect(stderr).toMatch(/lease is live/)
    expect(stderr).toContain('--force')
    expect(stillHeld?.status).toBe('IN_PROGRESS')
  })

  it('with --force deletes a live lease; the running attempt then finds its key gone', async () => {
    const paymentId = freshPaymentId()
    const inFlight = chargeInFlight(t.store, paymentId)
    await untilStored(t.store, recordKeyFor(paymentId))

    const { code, stdout } = await invalidate(paymentId, ['--force', '--yes', '--json'])
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
    expect(await t.store.get(recordKeyFor(paymentId))).toBeUndefined()
  })

  it('deletes nothing when the record completed, under the same token, between reading it and the answer', async () => {
    const paymentId = freshPaymentId()
    const inFlight = chargeInFlight(t.store, paymentId)
    await untilStored(t.store, recordKeyFor(paymentId))

    const cli = await t.start('invalidate', byKey(paymentId, '--force'))
    await cli.stderrShows('[y/N]')
    inFlight.finish()
    await inFlight.settled
    cli.answer('y')
    const { code, stderr } = await cli.done

    expect(code).toBe(1)
    expect(stderr).toContain('changed since it was read')
    expect((await t.store.get(recordKeyFor(paymentId)))?.status).toBe('COMPLETED')
  })

  it('says the record was already gone when another operator deleted it first', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(t.store).charge({ paymentId, amount: 1 })

    const cli = await t.start('invalidate', byKey(paymentId))
    await cli.stderrShows('[y/N]')
    await t.remove(recordKeyFor(paymentId))
    cli.answer('y')
    const { code, stdout } = await cli.done

    expect(code).toBe(0)
    expect(stdout).toContain('(it was already gone)')
  })

  it('with --force deletes nothing when the same token claimed the key again, with a fresh lease, after it was read', async () => {
    const paymentId = freshPaymentId()
    const execution = durableExecution(t.store, paymentId)
    await execution.claim(Date.now() - 2 * MINUTE_MS)

    const cli = await t.start('invalidate', byKey(paymentId, '--force'))
    await cli.stderrShows('[y/N]')
    await execution.claim(Date.now())
    cli.answer('y')
    const { code, stderr } = await cli.done

    expect(code).toBe(1)
    expect(stderr).toContain('changed since it was read')
    expect((await t.store.get(recordKeyFor(paymentId)))?.status).toBe('IN_PROGRESS')
  })

  it('deletes nothing when the same token completed the key again, after its retention, since it was read', async () => {
    const paymentId = freshPaymentId()
    const execution = durableExecution(t.store, paymentId, 3_600)
    await execution.claim(Date.now() - 3 * HOUR_MS)
    await execution.complete(Date.now() - 3 * HOUR_MS)

    const cli = await t.start('invalidate', byKey(paymentId))
    await cli.stderrShows('[y/N]')
    await execution.claim(Date.now())
    await execution.complete(Date.now())
    cli.answer('y')
    const { code, stderr } = await cli.done

    expect(code).toBe(1)
    expect(stderr).toContain('changed since it was read')
    const record = await t.store.get(recordKeyFor(paymentId))
    expect(record?.status === 'COMPLETED' && record.completedAtEpochMs).toBeGreaterThan(Date.now() - HOUR_MS)
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeHttpIdempotent } from '../../lib/http/index.js'
import { PostgresStore } from '../../lib/postgres/index.js'
import { fingerprintOf, recordKeyOf } from '../../lib/store/index.js'
import { runCli } from '../support/cli.js'
import { databaseUrl, pgCli } from '../support/cli-postgres.js'
import {
  chargeHandler,
  chargeInFlight,
  FUNCTION_NAME,
  freshPaymentId,
  NAMESPACE,
  OPERATION,
  recordKeyFor,
  silent,
  untilStored,
} from '../support/cli-records.js'
import { httpApiEvent } from '../support/http-events.js'
import { createdPayment, freshKey, freshUser } from '../support/http-harness.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'
import { lambdaContext } from '../support/records.js'

const pool = testPool(4)
let table: string
let store: PostgresStore
let cli: ReturnType<typeof pgCli>
beforeAll(async () => {
  table = await createIdempotencyTestTable(pool, 'cli_inspect')
  store = new PostgresStore({ pool, tableName: table })
  cli = pgCli(table)
})
afterAll(async () => {
  await dropTestSchema(pool, table)
  await pool.end()
})

const JWT_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example'
const byKey = (paymentId: string) => [
  '--function',
  FUNCTION_NAME,
  '--operation',
  OPERATION,
  '--key',
  paymentId,
]

describe('lambda-idempotency inspect on PostgreSQL', () => {
  it('finds a completed charge by function, operation and raw key, names the table, and hides the raw key', async () => {
    const paymentId = freshPaymentId()
    const result = await chargeHandler(store).charge({ paymentId, amount: 4200 })

    const { code, stdout, stderr } = await cli('inspect', byKey(paymentId))

    expect(code).toBe(0)
    expect(stdout).toContain(recordKeyFor(paymentId))
    expect(stdout).toMatch(
      new RegExp(`Store\\s+PostgreSQL table ${table} in database \\w+ at 127\\.0\\.0\\.1:\\d+`),
    )
    expect(stdout).toMatch(/State\s+COMPLETED/)
    expect(stdout).toContain(`json, ${Buffer.byteLength(JSON.stringify(result))} bytes`)
    expect(`${stdout}${stderr}`).not.toContain(paymentId)
    expect(stdout).not.toContain(new URL(databaseUrl()).password)
  })

  it('answers --json with the same view as on DynamoDB: state, expiry, fingerprint, result size', async () => {
    const paymentId = freshPaymentId()
    const event = { paymentId, amount: 990 }
    const result = await chargeHandler(store).charge(event)

    const { code, stdout } = await cli('inspect', [...byKey(paymentId), '--json'])

    expect(code).toBe(0)
    const view = JSON.parse(stdout)
    expect(view).toMatchObject({
      recordKey: recordKeyFor(paymentId),
      namespace: NAMESPACE,
      state: 'COMPLETED',
      status: 'COMPLETED',
      fingerprint: fingerprintOf(event),
      result: { encoding: 'json', storedBytes: Buffer.byteLength(JSON.stringify(result)) },
    })
    expect(Date.parse(view.completedAt)).toBeLessThanOrEqual(Date.now())
    expect(view.expiresAtEpochSeconds * 1000).toBeGreaterThan(Date.now())
  })

  it('decodes a brotli-compressed result from its bytea column with --show-result', async () => {
    const paymentId = freshPaymentId()
    const large = { receipt: 'line item\n'.repeat(2_000) }
    await chargeHandler(store, {}, large).charge({ paymentId, amount: 1 })

    const { code, stdout } = await cli('inspect', [...byKey(paymentId), '--show-result', '--json'])

    expect(code).toBe(0)
    const view = JSON.parse(stdout)
    expect(view.result.encoding).toBe('json+br')
    expect(view.result.storedBytes).toBeLessThan(view.result.jsonBytes)
    expect(view.value).toEqual(large)
  })

  it('shows a charge still running as IN_PROGRESS with the lease time it has left', async () => {
    const paymentId = freshPaymentId()
    const inFlight = chargeInFlight(store, paymentId)
    await untilStored(store, recordKeyFor(paymentId))

    const human = await cli('inspect', byKey(paymentId))
    const machine = await cli('inspect', [...byKey(paymentId), '--json'])
    inFlight.finish()
    await inFlight.settled

    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/State\s+IN_PROGRESS/)
    expect(human.stdout).toMatch(/Lease\s+live, ends in \d+ s/)
    expect(JSON.parse(machine.stdout)).toMatchObject({ state: 'IN_PROGRESS', lease: { live: true } })
  })

  it('calls a record past its retention "expired" while the row waits for the cleanup', async () => {
    const paymentId = freshPaymentId()
    const twoDaysAgoMs = Date.now() - 2 * 24 * 3600_000
    await chargeHandler(store, { now: () => twoDaysAgoMs, ttlSeconds: 3600 }).charge({ paymentId, amount: 5 })

    const { code, stdout } = await cli('inspect', [...byKey(paymentId), '--json'])

    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ state: 'expired', status: 'COMPLETED' })
  })

  it('finds an HTTP preset record from the JWT caller, method, route and Idempotency-Key', async () => {
    const [sub, key] = [freshUser(), freshKey()]
    const handler = makeHttpIdempotent(createdPayment, { store, namespace: 'payments-api', logger: silent })
    const event = httpApiEvent({ sub, headers: { 'idempotency-key': key }, body: { amount: 1 } })
    const answered = await handler(event, lambdaContext(10_000) as never)

    const principal = JSON.stringify(['jwt', JWT_ISSUER, sub])
    const route = ['--method', 'POST', '--route', 'POST /payments']
    const args = ['--namespace', 'payments-api', '--principal', principal, ...route, '--key', `"${key}"`]
    const { code, stdout, stderr } = await cli('inspect', [...args, '--show-result', '--json'])

    expect(code).toBe(0)
    const view = JSON.parse(stdout)
    expect(view.state).toBe('COMPLETED')
    expect(view.value).toMatchObject({ statusCode: 201, body: answered.body })
    expect(`${stdout}${stderr}`).not.toContain(key)
    expect(`${stdout}${stderr}`).not.toContain(sub)
  })

  it('reads PostgreSQL from DATABASE_URL when no option names a store', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(store).charge({ paymentId, amount: 7 })

    const args = ['inspect', '--table', table, '--record-key', recordKeyOf(NAMESPACE, paymentId), '--json']
    const env = { DATABASE_URL: databaseUrl(), DYNAMODB_ENDPOINT: undefined }
    const { code, stdout } = await runCli(args, { env })

    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ recordKey: recordKeyFor(paymentId), state: 'COMPLETED' })
  })
})

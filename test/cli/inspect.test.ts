import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { makeHttpIdempotent } from '../../lib/http/index.js'
import { fingerprintOf, recordKeyOf } from '../../lib/store/index.js'
import { runCli } from '../support/cli.js'
import { type CliTable, databaseUrl, EACH_CLI_BACKEND } from '../support/cli-backends.js'
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
import { functionUrlEvent, httpApiEvent } from '../support/http-events.js'
import { createdPayment, freshKey, freshUser } from '../support/http-harness.js'
import { lambdaContext } from '../support/records.js'

/** What differs per store: what else must never be printed, and how the CLI finds the store without --table's help. */
const PER_BACKEND = {
  DynamoDB: {
    secrets: () => [] as string[],
    found: 'an --endpoint',
    locate: () => ({
      args: ['--endpoint', inject('dynamodbEndpoint')],
      env: { DYNAMODB_ENDPOINT: undefined },
    }),
  },
  PostgreSQL: {
    secrets: () => [new URL(databaseUrl()).password],
    found: 'DATABASE_URL, when no option names a store',
    locate: () => ({ args: [], env: { DATABASE_URL: databaseUrl(), DYNAMODB_ENDPOINT: undefined } }),
  },
}

const JWT_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example'
const byKey = (paymentId: string) => [
  '--function',
  FUNCTION_NAME,
  '--operation',
  OPERATION,
  '--key',
  paymentId,
]

describe.each(EACH_CLI_BACKEND)('lambda-idempotency inspect on %s', (_name, backend) => {
  const { secrets, found, locate } = PER_BACKEND[backend.name]
  let t: CliTable
  beforeAll(async () => {
    t = await backend.open('cli_inspect')
  })
  afterAll(() => t.close())

  it('finds a completed charge by function, operation and raw key, names the store, and hides the raw key', async () => {
    const paymentId = freshPaymentId()
    const result = await chargeHandler(t.store).charge({ paymentId, amount: 4200 })

    const { code, stdout, stderr } = await t.run('inspect', byKey(paymentId))

    expect(code).toBe(0)
    expect(stdout).toContain(recordKeyFor(paymentId))
    expect(stdout).toContain(`Store       ${backend.describes(t.table)}\n`)
    expect(stdout).toMatch(/State\s+COMPLETED/)
    expect(stdout).toContain(`json, ${Buffer.byteLength(JSON.stringify(result))} bytes`)
    expect(`${stdout}${stderr}`).not.toContain(paymentId)
    for (const secret of secrets()) expect(stdout).not.toContain(secret)
  })

  it('answers --json with state, expiry, fingerprint and result size, and never the raw key', async () => {
    const paymentId = freshPaymentId()
    const event = { paymentId, amount: 990 }
    const result = await chargeHandler(t.store).charge(event)

    const { code, stdout } = await t.run('inspect', [...byKey(paymentId), '--json'])

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
    expect(Date.parse(view.expiresAt)).toBeGreaterThan(Date.now())
    expect(view.expiresAtEpochSeconds * 1000).toBeGreaterThan(Date.now())
    expect(stdout).not.toContain(paymentId)
  })

  it('decodes a brotli-compressed result, as the store keeps it, with --show-result', async () => {
    const paymentId = freshPaymentId()
    const large = { receipt: 'line item\n'.repeat(2_000) }
    await chargeHandler(t.store, {}, large).charge({ paymentId, amount: 1 })

    const { code, stdout } = await t.run('inspect', [...byKey(paymentId), '--show-result', '--json'])

    expect(code).toBe(0)
    const view = JSON.parse(stdout)
    expect(view.result.encoding).toBe('json+br')
    expect(view.result.storedBytes).toBeLessThan(view.result.jsonBytes)
    expect(view.value).toEqual(large)
  })

  it('shows a charge still running as IN_PROGRESS with the lease time it has left', async () => {
    const paymentId = freshPaymentId()
    const inFlight = chargeInFlight(t.store, paymentId)
    await untilStored(t.store, recordKeyFor(paymentId))

    const human = await t.run('inspect', byKey(paymentId))
    const machine = await t.run('inspect', [...byKey(paymentId), '--json'])
    inFlight.finish()
    await inFlight.settled

    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/State\s+IN_PROGRESS/)
    expect(human.stdout).toMatch(/Lease\s+live, ends in \d+ s/)
    const view = JSON.parse(machine.stdout)
    expect(view.state).toBe('IN_PROGRESS')
    expect(view.lease.live).toBe(true)
    expect(view.lease.remainingMs).toBeGreaterThan(0)
  })

  it('calls a record past its retention "expired" while it waits for DynamoDB TTL or the PostgreSQL cleanup', async () => {
    const paymentId = freshPaymentId()
    const twoDaysAgoMs = Date.now() - 2 * 24 * 3600_000
    await chargeHandler(t.store, { now: () => twoDaysAgoMs, ttlSeconds: 3600 }).charge({
      paymentId,
      amount: 5,
    })

    const { code, stdout } = await t.run('inspect', [...byKey(paymentId), '--json'])

    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ state: 'expired', status: 'COMPLETED' })
  })

  it('finds an HTTP preset record from the JWT caller, a lower-case method, the route and Idempotency-Key', async () => {
    const [sub, key] = [freshUser(), freshKey()]
    const handler = makeHttpIdempotent(createdPayment, {
      store: t.store,
      namespace: 'payments-api',
      logger: silent,
    })
    const event = httpApiEvent({ sub, headers: { 'idempotency-key': key }, body: { amount: 1 } })
    const answered = await handler(event, lambdaContext(10_000) as never)

    const principal = JSON.stringify(['jwt', JWT_ISSUER, sub])
    const route = ['--method', 'post', '--route', 'POST /payments']
    const args = ['--namespace', 'payments-api', '--principal', principal, ...route, '--key', `"${key}"`]
    const { code, stdout, stderr } = await t.run('inspect', [...args, '--show-result', '--json'])

    expect(code).toBe(0)
    const view = JSON.parse(stdout)
    expect(view.state).toBe('COMPLETED')
    expect(view.value).toMatchObject({ statusCode: 201, body: answered.body })
    expect(`${stdout}${stderr}`).not.toContain(key)
    expect(`${stdout}${stderr}`).not.toContain(sub)
  })

  it('reads a one-value principal as kind:value (an IAM caller of a function URL)', async () => {
    const key = freshKey()
    const arn = 'arn:aws:iam::123456789012:user/ops-tooling'
    const handler = makeHttpIdempotent(createdPayment, { store: t.store, logger: silent })
    await handler(functionUrlEvent({ iamUserArn: arn, headers: { 'idempotency-key': key } }), {
      functionName: 'refunds-url',
    } as never)

    const http = ['--principal', `iam:${arn}`, '--method', 'POST', '--route', '/payments', '--key', key]
    const { code, stdout } = await t.run('inspect', ['--function', 'refunds-url', ...http])

    expect(code).toBe(0)
    expect(stdout).toMatch(/State\s+COMPLETED/)
  })

  it(`takes the hashed record key directly, as logs and metrics print it, and finds the store from ${found}`, async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(t.store).charge({ paymentId, amount: 7 })

    const { args, env } = locate()
    const record = ['--record-key', recordKeyOf(NAMESPACE, paymentId)]
    const { code, stdout } = await runCli(['inspect', '--table', t.table, ...record, ...args, '--json'], {
      env,
    })

    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ recordKey: recordKeyFor(paymentId), state: 'COMPLETED' })
  })
})

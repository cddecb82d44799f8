import { ScanCommand } from '@aws-sdk/client-dynamodb'
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPaymentHandler } from '../../functions/handlers/create-payment.js'
import { createSimulatedGateway } from '../../functions/shared/gateway.js'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { ensureTables } from '../../scripts/local-api/tables.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import { type HostileBody, OPAQUE_KEYS, REFUSED_BODIES, REFUSED_KEYS } from '../support/hostile-inputs.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { festivalSale, freshKey, freshUser } from '../support/local-api.js'
import { sampleTables } from '../support/outbox.js'
import { lambdaContext } from '../support/records.js'
import { tableCounts } from '../support/table-counts.js'

const db = testDynamoDBClient()
const tables = sampleTables('hostile')
const allTables = [tables.idempotency, tables.payments, tables.gatewayLedger]
const gateway = createSimulatedGateway({ client: db, ledgerTableName: tables.gatewayLedger, latencyMs: 0 })
const handler = createPaymentHandler({ client: db, tables, gateway }, { logger: { warn: () => undefined } })

beforeAll(() => ensureTables(db, tables))
afterAll(() => db.destroy())

const invoke = (event: unknown): Promise<HttpResult> =>
  handler(event as HttpEvent, lambdaContext(10_000, 'create-payment') as unknown as Context)

const payment = (headers: Record<string, string>, body: unknown = festivalSale) =>
  httpApiEvent({ sub: freshUser(), headers: { 'Content-Type': 'application/json', ...headers }, body })

/** A corpus body as API Gateway delivers it: text as is, binary content already base64-encoded. */
const withBody = (bad: HostileBody) => {
  const event = payment({ 'Idempotency-Key': freshKey() }, bad.body)
  return bad.base64 ? { ...event, body: bad.body, isBase64Encoded: true } : event
}

/** A 4xx problem+json with the standard members, and not one item more in any table. */
async function expectRefused(event: unknown, status = 400): Promise<Record<string, unknown>> {
  const before = await tableCounts(db, allTables)
  const answer = await invoke(event)
  expect(answer.statusCode, answer.body?.slice(0, 300)).toBe(status)
  expect(headerOf(answer, 'content-type')).toBe('application/problem+json')
  const problem = JSON.parse(answer.body as string)
  expect(problem).toMatchObject({ status, type: expect.any(String), title: expect.any(String) })
  expect(problem.detail).toEqual(expect.any(String))
  expect(await tableCounts(db, allTables)).toEqual(before)
  return problem
}

describe('the sample create-payment handler against the bad-input corpus', () => {
  it.each(REFUSED_KEYS)(
    'refuses an Idempotency-Key with %s: 400 problem+json, nothing stored',
    async (_name, key) => {
      const problem = await expectRefused(payment({ 'Idempotency-Key': key }))
      expect(problem.type).toMatch(/#key-(invalid|missing)$/)
    },
  )

  it.each(OPAQUE_KEYS)(
    'takes a key with %s as an opaque token: charged once, replayed, and stored only as a hash',
    async (_name, key) => {
      const event = payment({ 'Idempotency-Key': key })
      const [, , ledgerBefore] = await tableCounts(db, allTables)
      const first = await invoke(event)
      const again = await invoke(event)
      expect(first.statusCode).toBe(201)
      expect(again.body).toBe(first.body)
      expect(headerOf(again, 'idempotent-replayed')).toBe('true')
      expect((await tableCounts(db, allTables))[2]).toBe((ledgerBefore as number) + 1)
      const { Items = [] } = await db.send(
        new ScanCommand({ TableName: tables.idempotency, ConsistentRead: true }),
      )
      expect(JSON.stringify(Items)).not.toContain(key)
    },
  )

  it.each(REFUSED_BODIES)(
    'refuses a body with $name: 400 problem+json, nothing stored or charged',
    async (bad) => {
      const problem = await expectRefused(withBody(bad))
      expect(problem.type).toMatch(/#validation-failed$/)
    },
  )

  it('refuses the key repeated, as API Gateway joins two header lines (any case, same or other value)', async () => {
    for (const joined of ['key-one,key-two', 'key-one,key-one', 'key-one, key-one'])
      expect((await expectRefused(payment({ 'Idempotency-Key': joined }))).type).toMatch(/#key-invalid$/)
  })

  it('answers an event without headers with 400 key-missing and one with a null body with 400', async () => {
    expect((await expectRefused({ ...payment({}), headers: undefined })).type).toMatch(/#key-missing$/)
    const nullBody = { ...payment({ 'Idempotency-Key': freshKey() }), body: null }
    expect((await expectRefused(nullBody)).type).toMatch(/#validation-failed$/)
  })

  it('refuses events that are not HTTP requests with 400 or a TypeError naming the trigger, before anything runs', async () => {
    const valid = payment({ 'Idempotency-Key': freshKey() })
    await expectRefused({})
    await expectRefused(null)
    for (const event of [
      { ...valid, requestContext: undefined },
      { ...valid, requestContext: { ...valid.requestContext, http: undefined } },
    ]) {
      const before = await tableCounts(db, allTables)
      await expect(invoke(event)).rejects.toThrow(
        /API Gateway .* function URL events.*Check the function trigger/,
      )
      expect(await tableCounts(db, allTables)).toEqual(before)
    }
  })
})

import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createPaymentHandler } from '../../functions/handlers/create-payment.js'
import { createSimulatedGateway, listCharges } from '../../functions/shared/gateway.js'
import { localDynamoDBClientConfig } from '../../scripts/dynamodb-local.js'
import { ensureTables } from '../../scripts/local-api/tables.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import { injectFaults, instantRetries } from '../support/faults.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { festivalSale, freshKey, freshUser } from '../support/local-api.js'
import { sampleTables } from '../support/outbox.js'
import { lambdaContext } from '../support/records.js'

const clean = testDynamoDBClient()
const tables = sampleTables('handler-faults')

beforeAll(() => ensureTables(clean, tables))
afterAll(() => clean.destroy())

describe('create-payment when its own reads fail in a store outage', () => {
  it('answers 503 problem+json instead of crashing, charges nothing, and charges once on the retry', async () => {
    let readsFail = true
    const client = new DynamoDBClient({
      ...localDynamoDBClientConfig(inject('dynamodbEndpoint')),
      retryStrategy: instantRetries(3),
    })
    injectFaults(client, {
      next: (command) => (readsFail && command === 'GetItemCommand' ? 'network' : 'none'),
    })
    const gateway = createSimulatedGateway({
      client: clean,
      ledgerTableName: tables.gatewayLedger,
      latencyMs: 0,
    })
    const handler = createPaymentHandler({ client, tables, gateway }, { logger: { warn: () => undefined } })
    const event = httpApiEvent({
      sub: freshUser(),
      headers: { 'Idempotency-Key': freshKey() },
      body: festivalSale,
    })
    const invoke = () => handler(event, lambdaContext(10_000, 'create-payment') as unknown as Context)

    const failed = await invoke()
    expect(failed.statusCode).toBe(503)
    expect(headerOf(failed, 'content-type')).toBe('application/problem+json')
    expect(JSON.parse(failed.body as string).type).toMatch(/#store-unavailable$/)
    expect(headerOf(failed, 'retry-after')).toBe('2')
    expect(await listCharges(clean, tables.gatewayLedger)).toEqual([])

    readsFail = false
    const retried = await invoke()
    expect(retried.statusCode).toBe(201)
    expect(await listCharges(clean, tables.gatewayLedger)).toMatchObject([{ requests: 1 }])
    client.destroy()
  })
})

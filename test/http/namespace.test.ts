import type { Context } from 'aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import { makeHttpIdempotent } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { httpApiEvent } from '../support/http-events.js'
import { createdPayment, freshKey, freshUser, silent } from '../support/http-harness.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let store: DynamoDBStore
beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client), client })
})

/** The same handler deployed under two function names, as after a rename or a blue/green deploy. */
function deployedAs(functionName: string, namespace?: string) {
  const handler = makeHttpIdempotent(createdPayment, { store, namespace, logger: silent })
  return (event: ReturnType<typeof httpApiEvent>) =>
    handler(event, lambdaContext(10_000, functionName) as unknown as Context)
}

describe('the HTTP preset namespace', () => {
  it('keeps keys across a function rename when a namespace is set', async () => {
    const event = httpApiEvent({
      sub: freshUser(),
      headers: { 'idempotency-key': freshKey() },
      body: { amount: 1 },
    })
    const first = await deployedAs('payments-blue', 'payments')(event)
    const retry = await deployedAs('payments-green', 'payments')(event)
    expect(retry.body).toBe(first.body)
    expect(retry.headers?.['Idempotent-Replayed']).toBe('true')
  })

  it('scopes keys by function name when no namespace is set', async () => {
    const event = httpApiEvent({
      sub: freshUser(),
      headers: { 'idempotency-key': freshKey() },
      body: { amount: 1 },
    })
    const first = await deployedAs('payments-blue')(event)
    const other = await deployedAs('payments-green')(event)
    expect(other.body).not.toBe(first.body)
    expect(other.headers?.['Idempotent-Replayed']).toBeUndefined()
  })
})

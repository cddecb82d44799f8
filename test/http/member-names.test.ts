import { beforeAll, describe, expect, it } from 'vitest'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { headerOf, httpApiEvent, restEvent } from '../support/http-events.js'
import { freshKey, freshUser, wrapHandler, wrappers } from '../support/http-harness.js'

const client = testDynamoDBClient()
let store: DynamoDBStore

beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'http-names'), client })
})

const problemType = (result: HttpResult) => (JSON.parse(result.body as string).type as string).split('#')[1]

/** Member names that an assignment into `{}` or an inherited read treats specially. */
const SPECIAL_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']

describe.each(wrappers)('the HTTP preset %s with members of any name, on DynamoDB Local', (_path, wrap) => {
  it('answers a body that adds a __proto__ member with 422 payload-mismatch, never a replay', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, sub] = [freshKey(), freshUser()]
    const send = (body: string) => invoke(httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body }))
    const first = await send('{"amount":100}')
    const smuggled = await send('{"amount":100,"__proto__":{"refundTo":"x"}}')
    expect(first.statusCode).toBe(201)
    expect(smuggled.statusCode).toBe(422)
    expect(problemType(smuggled)).toBe('payload-mismatch')
    expect(headerOf(smuggled, 'idempotent-replayed')).toBeUndefined()
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it.each(SPECIAL_NAMES)('tells bodies apart that differ only in a nested "%s" member', async (name) => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, principalId] = [freshKey(), freshUser()]
    const send = (body: string) =>
      invoke(restEvent({ authorizer: { principalId }, headers: { 'Idempotency-Key': key }, body }))
    const body = (refundTo: string) => `{"payment":{"amount":100,"${name}":{"refundTo":"${refundTo}"}}}`
    await send(body('a'))
    expect(headerOf(await send(body('a')), 'idempotent-replayed')).toBe('true')
    const other = await send(body('b'))
    const without = await send('{"payment":{"amount":100}}')
    expect([other.statusCode, without.statusCode]).toEqual([422, 422])
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('covers a __proto__ member of a body an earlier middleware already parsed', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, sub] = [freshKey(), freshUser()]
    const send = (json: string) => {
      const event = httpApiEvent({ sub, headers: { 'Idempotency-Key': key } })
      return invoke({ ...event, body: JSON.parse(json) } as unknown as HttpEvent)
    }
    await send('{"amount":100,"__proto__":{"refundTo":"x"}}')
    expect((await send('{"amount":100}')).statusCode).toBe(422)
    expect(headerOf(await send('{"__proto__":{"refundTo":"x"},"amount":100}'), 'idempotent-replayed')).toBe(
      'true',
    )
    expect(runs).toHaveBeenCalledTimes(1)
  })
})

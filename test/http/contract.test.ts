import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { HttpResult } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { userPoolClaims } from '../support/http-auth-events.js'
import { functionUrlEvent, headerOf, httpApiEvent, restEvent } from '../support/http-events.js'
import {
  createdPayment,
  freshKey,
  freshUser,
  gatedHandler,
  wrapHandler,
  wrappers,
} from '../support/http-harness.js'

const client = testDynamoDBClient()
let store: DynamoDBStore

beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'http'), client })
})

const bodyOf = (result: HttpResult) => JSON.parse(result.body as string)
const problemType = (result: HttpResult) => (bodyOf(result).type as string).split('#')[1]

describe.each(wrappers)('the HTTP contract %s, on DynamoDB Local', (_path, wrap) => {
  const payment = (key: string, sub: string, body: unknown = { amount: 500, currency: 'EUR' }) =>
    httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body })

  it('runs a POST once and replays its status, body and safe headers, marked Idempotent-Replayed', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const event = payment(freshKey(), freshUser())
    const fresh = await invoke(event)
    const replay = await invoke(event)
    expect(runs).toHaveBeenCalledTimes(1)
    expect(fresh.statusCode).toBe(201)
    expect(headerOf(fresh, 'set-cookie')).toBeDefined()
    expect(headerOf(fresh, 'idempotent-replayed')).toBeUndefined()
    expect(replay.statusCode).toBe(201)
    expect(replay.body).toBe(fresh.body)
    expect(replay.headers).toEqual({
      'Content-Type': 'application/json',
      Location: headerOf(fresh, 'location'),
      'Idempotent-Replayed': 'true',
    })
  })

  it('replays the headers listed in replayHeaders, single or multi-valued, and no others', async () => {
    const respond = async (): Promise<HttpResult> => ({
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'X-Ledger-Version': '7', 'X-Trace': 't-1' },
      multiValueHeaders: { Link: ['</a>; rel=next', '</b>; rel=last'], 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'ok',
    })
    const { invoke } = wrapHandler(wrap, { store, replayHeaders: ['x-ledger-version', 'LINK'] }, respond)
    const event = restEvent({
      authorizer: { principalId: freshUser() },
      headers: { 'Idempotency-Key': freshKey() },
    })
    await invoke(event)
    const replay = await invoke(event)
    expect(replay.headers).toEqual({
      'content-type': 'text/plain',
      'X-Ledger-Version': '7',
      'Idempotent-Replayed': 'true',
    })
    expect(replay.multiValueHeaders).toEqual({ Link: ['</a>; rel=next', '</b>; rel=last'] })
  })

  it('answers the same key with a different body with 422 and keeps the first answer', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, sub] = [freshKey(), freshUser()]
    const first = await invoke(payment(key, sub, { amount: 500, currency: 'EUR' }))
    const mismatch = await invoke(payment(key, sub, { amount: 900, currency: 'EUR' }))
    expect(mismatch.statusCode).toBe(422)
    expect(headerOf(mismatch, 'content-type')).toBe('application/problem+json')
    expect(problemType(mismatch)).toBe('payload-mismatch')
    expect((await invoke(payment(key, sub, { amount: 500, currency: 'EUR' }))).body).toBe(first.body)
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('replays a JSON body resent with other key order and spacing, or base64-encoded', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, sub] = [freshKey(), freshUser()]
    const headers = { 'Idempotency-Key': key }
    await invoke(httpApiEvent({ sub, headers, body: '{"amount":500,"currency":"EUR"}' }))
    const reordered = await invoke(
      httpApiEvent({ sub, headers, body: '{ "currency": "EUR",\n "amount": 500 }' }),
    )
    const encoded = await invoke(
      httpApiEvent({ sub, headers, body: '{"amount":500,"currency":"EUR"}', base64: true }),
    )
    expect(runs).toHaveBeenCalledTimes(1)
    expect(headerOf(reordered, 'idempotent-replayed')).toBe('true')
    expect(headerOf(encoded, 'idempotent-replayed')).toBe('true')
  })

  it('compares bodies of other content types byte for byte', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, sub] = [freshKey(), freshUser()]
    const form = (body: string) =>
      httpApiEvent({ sub, headers: { 'Idempotency-Key': key, 'Content-Type': 'text/csv' }, body })
    await invoke(form('amount,currency\n500,EUR'))
    expect((await invoke(form('amount,currency\n500,EUR'))).statusCode).toBe(201)
    expect((await invoke(form('amount, currency\n500, EUR'))).statusCode).toBe(422)
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('fingerprints invalid JSON by its bytes and leaves the 400 to the handler', async () => {
    const rejectsBadJson = async (): Promise<HttpResult> => ({ statusCode: 400, body: 'invalid JSON' })
    const { runs, invoke } = wrapHandler(wrap, { store }, rejectsBadJson)
    const [key, sub] = [freshKey(), freshUser()]
    const first = await invoke(httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: '{"amount":' }))
    const other = await invoke(
      httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: '{"amount":9' }),
    )
    expect(first.statusCode).toBe(400)
    expect(other.statusCode).toBe(422)
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('compares only the part of the body the fingerprint option picks', async () => {
    const fingerprint = (body: unknown) => ({ amount: (body as { amount: number }).amount })
    const { runs, invoke } = wrapHandler(wrap, { store, fingerprint })
    const [key, sub] = [freshKey(), freshUser()]
    await invoke(payment(key, sub, { amount: 500, note: 'first' }))
    const sameAmount = await invoke(payment(key, sub, { amount: 500, note: 'second' }))
    const otherAmount = await invoke(payment(key, sub, { amount: 501, note: 'first' }))
    expect(headerOf(sameAmount, 'idempotent-replayed')).toBe('true')
    expect(otherAmount.statusCode).toBe(422)
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('treats one key sent to two resources of one route as a mismatch, never a replay of the other', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, sub] = [freshKey(), freshUser()]
    const patch = (id: string) =>
      httpApiEvent({
        sub,
        method: 'PATCH',
        routeKey: 'PATCH /payments/{id}',
        path: `/payments/${id}`,
        pathParameters: { id },
        headers: { 'Idempotency-Key': key },
        body: { description: 'gift' },
      })
    expect((await invoke(patch('p-1'))).statusCode).toBe(201)
    expect((await invoke(patch('p-2'))).statusCode).toBe(422)
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('gives two callers who send the same key two executions', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const key = freshKey()
    const alice = await invoke(payment(key, freshUser()))
    const bob = await invoke(payment(key, freshUser()))
    expect(runs).toHaveBeenCalledTimes(2)
    expect(bodyOf(alice).paymentId).not.toBe(bodyOf(bob).paymentId)
    expect(headerOf(bob, 'idempotent-replayed')).toBeUndefined()
  })

  it('keeps the same key apart on two routes of one API', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, sub] = [freshKey(), freshUser()]
    await invoke(httpApiEvent({ sub, path: '/payments', headers: { 'Idempotency-Key': key }, body: {} }))
    await invoke(httpApiEvent({ sub, path: '/refunds', headers: { 'Idempotency-Key': key }, body: {} }))
    expect(runs).toHaveBeenCalledTimes(2)
  })

  it('takes a quoted and a bare key as the same key', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const [key, sub] = [freshKey(), freshUser()]
    await invoke(payment(`"${key}"`, sub))
    const bare = await invoke(payment(key, sub))
    expect(headerOf(bare, 'idempotent-replayed')).toBe('true')
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('stores a 4xx from the handler, such as a card decline, and replays it', async () => {
    const decline = async (): Promise<HttpResult> => ({ statusCode: 402, body: '{"declined":true}' })
    const { runs, invoke } = wrapHandler(wrap, { store }, decline)
    const event = payment(freshKey(), freshUser())
    await invoke(event)
    const replay = await invoke(event)
    expect(replay.statusCode).toBe(402)
    expect(headerOf(replay, 'idempotent-replayed')).toBe('true')
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it.each([500, 502, 408, 409, 425, 429])(
    'releases the key after a %i, so a retry runs again',
    async (status) => {
      let calls = 0
      const flaky = async (): Promise<HttpResult> =>
        ++calls === 1 ? { statusCode: status, body: 'try again' } : createdPayment(event)
      const { runs, invoke } = wrapHandler(wrap, { store }, flaky)
      const event = payment(freshKey(), freshUser())
      expect((await invoke(event)).statusCode).toBe(status)
      const retry = await invoke(event)
      expect(retry.statusCode).toBe(201)
      expect(headerOf(retry, 'idempotent-replayed')).toBeUndefined()
      expect(runs).toHaveBeenCalledTimes(2)
    },
  )

  it('releases the key when the handler throws, and rethrows its error untouched', async () => {
    const outage = new Error('gateway down')
    const respond = vi
      .fn<() => Promise<HttpResult>>()
      .mockRejectedValueOnce(outage)
      .mockResolvedValue({ statusCode: 201 })
    const { invoke } = wrapHandler(wrap, { store }, respond)
    const event = payment(freshKey(), freshUser())
    await expect(invoke(event)).rejects.toBe(outage)
    expect((await invoke(event)).statusCode).toBe(201)
    expect(respond).toHaveBeenCalledTimes(2)
  })

  it('answers a duplicate with 409 and Retry-After while the first still runs, without freeing its key', async () => {
    const gated = gatedHandler()
    const { runs, invoke } = wrapHandler(wrap, { store }, gated.respond)
    const event = payment(freshKey(), freshUser())
    const first = invoke(event)
    await vi.waitFor(() => expect(runs).toHaveBeenCalledTimes(1), { timeout: 5_000 })
    const duplicate = await invoke(event)
    expect(duplicate.statusCode).toBe(409)
    expect(problemType(duplicate)).toBe('in-progress')
    // The lease is the Lambda's remaining time (10 s) plus a 2 s margin.
    expect(Number(headerOf(duplicate, 'retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(headerOf(duplicate, 'retry-after'))).toBeLessThanOrEqual(12)
    expect(headerOf(duplicate, 'preference-applied')).toBeUndefined()
    gated.finish()
    expect((await first).statusCode).toBe(201)
    expect(headerOf(await invoke(event), 'idempotent-replayed')).toBe('true')
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('protects REST API requests scoped by a Lambda or Cognito authorizer', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const key = freshKey()
    const viaLambda = restEvent({
      authorizer: { principalId: freshUser() },
      headers: { 'idempotency-key': key },
      body: {},
    })
    const viaCognito = restEvent({
      authorizer: { claims: userPoolClaims(freshUser()) },
      headers: { 'idempotency-key': key },
      body: {},
    })
    await invoke(viaLambda)
    await invoke(viaCognito)
    expect(headerOf(await invoke(viaLambda), 'idempotent-replayed')).toBe('true')
    expect(headerOf(await invoke(viaCognito), 'idempotent-replayed')).toBe('true')
    expect(runs).toHaveBeenCalledTimes(2)
  })

  it('protects function URL requests signed with IAM, scoped by the caller ARN and path', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store })
    const key = freshKey()
    const caller = `arn:aws:iam::123456789012:user/${freshUser()}`
    const event = functionUrlEvent({
      iamUserArn: caller,
      path: '/charges',
      headers: { 'Idempotency-Key': key },
      body: {},
    })
    await invoke(event)
    expect(headerOf(await invoke(event), 'idempotent-replayed')).toBe('true')
    await invoke(
      functionUrlEvent({
        iamUserArn: caller,
        path: '/refunds',
        headers: { 'Idempotency-Key': key },
        body: {},
      }),
    )
    expect(runs).toHaveBeenCalledTimes(2)
  })

  it('accepts callers without a principal only through the anonymousPrincipal fallback', async () => {
    const { runs, invoke } = wrapHandler(wrap, {
      store,
      anonymousPrincipal: (event) => `anon:${event.headers['x-client-id']}`,
    })
    const event = functionUrlEvent({
      headers: { 'Idempotency-Key': freshKey(), 'X-Client-Id': freshUser() },
      body: {},
    })
    await invoke(event)
    expect(headerOf(await invoke(event), 'idempotent-replayed')).toBe('true')
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('passes GET through without a key, and guards only the configured methods', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store, methods: ['post', 'DELETE'] })
    const sub = freshUser()
    expect((await invoke(httpApiEvent({ sub, method: 'GET' }))).statusCode).toBe(201)
    expect((await invoke(httpApiEvent({ sub, method: 'PATCH', body: {} }))).statusCode).toBe(201)
    expect((await invoke(httpApiEvent({ sub, method: 'DELETE' }))).statusCode).toBe(400)
    expect(runs).toHaveBeenCalledTimes(2)
  })
})

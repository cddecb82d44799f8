import { beforeAll, describe, expect, it } from 'vitest'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { countingStore } from '../support/counting-store.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { functionUrlEvent, headerOf, httpApiEvent, restEvent, uuidV7At } from '../support/http-events.js'
import { freshKey, freshUser, wrapHandler, wrappers } from '../support/http-harness.js'

const client = testDynamoDBClient()
let dynamo: DynamoDBStore

beforeAll(async () => {
  dynamo = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'http-reject'), client })
})

const problemOf = (result: HttpResult) => JSON.parse(result.body as string)
const DAY_MS = 86_400_000

describe.each(wrappers)('requests refused before any store call, %s', (_path, wrap) => {
  function setup(nowEpochMs?: number) {
    const { store, calls } = countingStore(dynamo)
    const now = nowEpochMs === undefined ? undefined : () => nowEpochMs
    return { calls, ...wrapHandler(wrap, { store, now }) }
  }

  async function expectRefused(event: HttpEvent, status: number, type: string) {
    const { calls, runs, invoke } = setup()
    const answer = await invoke(event)
    expect(answer.statusCode).toBe(status)
    expect(headerOf(answer, 'content-type')).toBe('application/problem+json')
    expect(problemOf(answer)).toMatchObject({ status, type: expect.stringMatching(new RegExp(`#${type}$`)) })
    expect(problemOf(answer).detail).toMatch(/retry|send|authenticate/i)
    expect(calls).toEqual([])
    expect(runs).not.toHaveBeenCalled()
  }

  it('answers a POST without Idempotency-Key with 400 key-missing', async () => {
    await expectRefused(httpApiEvent({ sub: freshUser(), body: {} }), 400, 'key-missing')
  })

  it.each<[string, HttpEvent]>([
    ['an empty key', httpApiEvent({ sub: 'u', headers: { 'Idempotency-Key': '' } })],
    ['an empty quoted key', httpApiEvent({ sub: 'u', headers: { 'Idempotency-Key': '""' } })],
    ['a 256-character key', httpApiEvent({ sub: 'u', headers: { 'Idempotency-Key': 'k'.repeat(256) } })],
    [
      'a key with a control character',
      httpApiEvent({ sub: 'u', headers: { 'Idempotency-Key': 'a\u0007b' } }),
    ],
    ['a non-ASCII key', httpApiEvent({ sub: 'u', headers: { 'Idempotency-Key': 'zahlung-ü' } })],
    [
      'a repeated header on a REST API (multiValueHeaders)',
      restEvent({ authorizer: { principalId: 'u' }, headers: { 'Idempotency-Key': ['a', 'b'] } }),
    ],
    [
      'a repeated header on an HTTP API (comma-joined)',
      httpApiEvent({ sub: 'u', headers: { 'Idempotency-Key': ['a', 'b'] } }),
    ],
    [
      'a repeated header on a function URL',
      functionUrlEvent({ iamUserArn: 'arn', headers: { 'idempotency-key': ['"a"', '"b"'] } }),
    ],
  ])('answers %s with 400 key-invalid', async (_name, event) => {
    await expectRefused(event, 400, 'key-invalid')
  })

  it('answers a request without a principal with 401, whatever its key', async () => {
    await expectRefused(
      httpApiEvent({ headers: { 'Idempotency-Key': freshKey() } }),
      401,
      'principal-missing',
    )
    await expectRefused(restEvent({ headers: { 'Idempotency-Key': freshKey() } }), 401, 'principal-missing')
    await expectRefused(
      functionUrlEvent({ headers: { 'Idempotency-Key': freshKey() } }),
      401,
      'principal-missing',
    )
  })

  it('answers a UUIDv7 key older than the retention window with 400, and accepts a recent one', async () => {
    const nowEpochMs = Date.now()
    const { calls, runs, invoke } = setup(nowEpochMs)
    const sub = freshUser()
    const stale = await invoke(
      httpApiEvent({ sub, headers: { 'Idempotency-Key': uuidV7At(nowEpochMs - DAY_MS - 1) } }),
    )
    expect(stale.statusCode).toBe(400)
    expect(problemOf(stale).detail).toContain('send a new key')
    expect(calls).toEqual([])
    const recent = await invoke(
      httpApiEvent({ sub, headers: { 'Idempotency-Key': uuidV7At(nowEpochMs - 60_000) } }),
    )
    expect(recent.statusCode).toBe(201)
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('answers a UUIDv7 key stamped far in the future with 400, and tolerates a little clock skew', async () => {
    const nowEpochMs = Date.now()
    const { calls, invoke } = setup(nowEpochMs)
    const sub = freshUser()
    const future = await invoke(
      httpApiEvent({ sub, headers: { 'Idempotency-Key': uuidV7At(nowEpochMs + 3_600_000) } }),
    )
    expect(future.statusCode).toBe(400)
    expect(problemOf(future).detail).toContain('clock')
    expect(calls).toEqual([])
    const skewed = await invoke(
      httpApiEvent({ sub, headers: { 'Idempotency-Key': uuidV7At(nowEpochMs + 60_000) } }),
    )
    expect(skewed.statusCode).toBe(201)
  })

  it('stores nothing for a refused request, so the same key then works once fixed', async () => {
    const { runs, invoke } = setup()
    const [key, sub] = [freshKey(), freshUser()]
    const twice = await invoke(httpApiEvent({ sub, headers: { 'Idempotency-Key': [key, key] }, body: {} }))
    expect(twice.statusCode).toBe(400)
    const once = await invoke(httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: {} }))
    expect(once.statusCode).toBe(201)
    expect(headerOf(once, 'idempotent-replayed')).toBeUndefined()
    expect(runs).toHaveBeenCalledTimes(1)
  })
})

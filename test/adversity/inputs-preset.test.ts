import { ScanCommand } from '@aws-sdk/client-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { type HostileBody, REFUSED_BODIES, REFUSED_KEYS } from '../support/hostile-inputs.js'
import { functionUrlEvent, headerOf, httpApiEvent, restEvent } from '../support/http-events.js'
import { freshKey, freshUser, wrapHandler, wrappers } from '../support/http-harness.js'
import { tableCounts } from '../support/table-counts.js'

const client = testDynamoDBClient()
let tableName: string
let store: DynamoDBStore

beforeAll(async () => {
  tableName = await createIdempotencyTestTable(client, 'hostile-preset')
  store = new DynamoDBStore({ tableName, client })
})

/** A handler that judges no body: whatever reaches it is charged, so the preset alone must cope. */
const accept = async (): Promise<HttpResult> => ({
  statusCode: 201,
  body: JSON.stringify({ id: freshKey() }),
})

const sentAs = (bad: HostileBody, key: string, sub: string) => {
  const event = httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: bad.body })
  return bad.base64 ? { ...event, body: bad.body, isBase64Encoded: true } : event
}

describe.each(wrappers)('the HTTP preset against the bad-input corpus, %s', (_path, wrap) => {
  it.each(REFUSED_BODIES)(
    'fingerprints a body with $name: the handler answers once, a retry replays it, another body is a 422',
    async (bad) => {
      const { runs, invoke } = wrapHandler(wrap, { store }, accept)
      const [key, sub] = [freshKey(), freshUser()]
      const first = await invoke(sentAs(bad, key, sub))
      const again = await invoke(sentAs(bad, key, sub))
      const other = await invoke(sentAs({ name: 'other', body: '{"other":true}' }, key, sub))
      expect(first.statusCode).toBe(201)
      expect(again.body).toBe(first.body)
      expect(headerOf(again, 'idempotent-replayed')).toBe('true')
      expect(other.statusCode).toBe(422)
      expect(runs).toHaveBeenCalledTimes(1)
    },
  )

  it.each(REFUSED_KEYS)(
    'refuses a key with %s on REST, HTTP API and function URL events alike',
    async (_n, key) => {
      const { runs, invoke } = wrapHandler(wrap, { store }, accept)
      const before = await tableCounts(client, [tableName])
      for (const event of [
        restEvent({
          authorizer: { principalId: freshUser() },
          headers: { 'Idempotency-Key': key },
          body: {},
        }),
        httpApiEvent({ sub: freshUser(), headers: { 'Idempotency-Key': key }, body: {} }),
        functionUrlEvent({
          iamUserArn: `arn:aws:iam::123456789012:user/${freshUser()}`,
          headers: { 'Idempotency-Key': key },
        }),
      ]) {
        const answer = await invoke(event)
        expect(answer.statusCode).toBe(400)
        expect(headerOf(answer, 'content-type')).toBe('application/problem+json')
      }
      expect(runs).not.toHaveBeenCalled()
      expect(await tableCounts(client, [tableName])).toEqual(before)
    },
  )

  it('refuses the key sent as two header lines on a REST event, in either case and with one value twice', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store }, accept)
    const principal = { principalId: freshUser() }
    for (const headers of <Record<string, string | string[]>[]>[
      { 'Idempotency-Key': 'key-one', 'idempotency-key': 'key-two' },
      { 'Idempotency-Key': ['key-one', 'key-one'] },
      { 'IDEMPOTENCY-KEY': 'key-one', 'Idempotency-key': 'key-one' },
    ]) {
      const answer = await invoke(restEvent({ authorizer: principal, headers, body: {} }))
      expect(answer.statusCode).toBe(400)
      expect(JSON.parse(answer.body as string).detail).toMatch(/repeated/)
    }
    expect(runs).not.toHaveBeenCalled()
  })

  it('refuses events that are not HTTP requests with a TypeError naming the trigger, before any store call', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store }, accept)
    const valid = httpApiEvent({ sub: freshUser(), headers: { 'Idempotency-Key': freshKey() }, body: {} })
    const before = await tableCounts(client, [tableName])
    for (const event of [
      {},
      null,
      'a string',
      { ...valid, requestContext: undefined },
      { ...valid, requestContext: { ...valid.requestContext, http: undefined } },
      { Records: [{ eventSource: 'aws:sqs', body: '{}' }] },
    ]) {
      await expect(invoke(event as HttpEvent)).rejects.toThrow(
        expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/function URL events/) }),
      )
    }
    expect(runs).not.toHaveBeenCalled()
    expect(await tableCounts(client, [tableName])).toEqual(before)
  })

  it('answers a REST event built without requestContext or headers with 401 or 400, never a crash', async () => {
    const { invoke } = wrapHandler(wrap, { store }, accept)
    const rest = restEvent({ authorizer: { principalId: freshUser() }, body: {} })
    const noContext = await invoke({ ...rest, requestContext: undefined } as unknown as HttpEvent)
    expect(noContext.statusCode).toBe(401)
    const noHeaders = await invoke({
      ...rest,
      headers: null,
      multiValueHeaders: null,
    } as unknown as HttpEvent)
    expect(noHeaders.statusCode).toBe(400)
    const { Count } = await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }))
    expect(Count).toBeGreaterThan(0)
  })
})

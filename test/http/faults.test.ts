import { randomBytes } from 'node:crypto'
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeAll, describe, expect, it } from 'vitest'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { countingStore } from '../support/counting-store.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'
import { createdPayment, freshKey, freshUser, wrapHandler, wrappers } from '../support/http-harness.js'

const client = testDynamoDBClient()
let tableName: string
let dynamo: DynamoDBStore

beforeAll(async () => {
  tableName = await createIdempotencyTestTable(client, 'http-faults')
  dynamo = new DynamoDBStore({ tableName, client })
})

const problemOf = (result: HttpResult) => JSON.parse(result.body as string)

describe.each(wrappers)('HTTP answers to store faults and limits, %s', (_path, wrap) => {
  const payment = (key: string, sub: string) =>
    httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: {} })

  it('answers 409 lease-lost when a slow attempt was taken over, and a retry gets the stored answer', async () => {
    let nowEpochMs = Date.now()
    let taken: HttpResult | undefined
    const respond = async (event: HttpEvent): Promise<HttpResult> => {
      if (harness.runs.mock.calls.length === 1) {
        // Past this attempt's lease (10 s of Lambda time + 2 s), a retry takes the key over.
        nowEpochMs += 20_000
        taken = await harness.invoke(event)
      }
      return createdPayment(event)
    }
    const harness = wrapHandler(wrap, { store: dynamo, now: () => nowEpochMs }, respond)
    const event = payment(freshKey(), freshUser())
    const slow = await harness.invoke(event)
    expect(slow.statusCode).toBe(409)
    expect(problemOf(slow).type).toMatch(/#lease-lost$/)
    const retry = await harness.invoke(event)
    expect(retry.body).toBe(taken?.body)
    expect(headerOf(retry, 'idempotent-replayed')).toBe('true')
    expect(harness.runs).toHaveBeenCalledTimes(2)
  })

  it('answers replays of a response too large to store with 500 result-not-stored, never a second run', async () => {
    // Random bytes do not compress: well over the 350 KB a stored result may take.
    const huge = async (): Promise<HttpResult> => ({
      statusCode: 200,
      body: randomBytes(450_000).toString('base64'),
    })
    const { runs, invoke } = wrapHandler(wrap, { store: dynamo }, huge)
    const event = payment(freshKey(), freshUser())
    expect((await invoke(event)).statusCode).toBe(200)
    const replay = await invoke(event)
    expect(replay.statusCode).toBe(500)
    expect(problemOf(replay).type).toMatch(/#result-not-stored$/)
    expect(runs).toHaveBeenCalledTimes(1)
  })

  it('answers 503 with Retry-After when the store is unreachable, without running the handler', async () => {
    // DynamoDB Local never drops connections, so the fault is mocked on this one client only.
    const unreachable = new DynamoDBClient({ region: 'eu-west-1' })
    const networkError = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
      code: 'ECONNREFUSED',
    })
    mockClient(unreachable).on(PutItemCommand).rejects(networkError)
    const store = new DynamoDBStore({ tableName: 'idempotency', client: unreachable })
    const { runs, invoke } = wrapHandler(wrap, { store })
    const answer = await invoke(payment(freshKey(), freshUser()))
    expect(answer.statusCode).toBe(503)
    expect(problemOf(answer).type).toMatch(/#store-unavailable$/)
    expect(headerOf(answer, 'retry-after')).toBe('2')
    expect(problemOf(answer).detail).not.toMatch(/ECONNREFUSED|10\.0\.0\.1/)
    expect(runs).not.toHaveBeenCalled()
  })

  it('stores neither the raw key, the principal, the body nor the headers that are not replayed', async () => {
    const [key, sub, card] = [`key-${freshKey()}`, freshUser(), `card-${freshKey()}`]
    const respond = async (): Promise<HttpResult> => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'Set-Cookie': `session=${card}` },
      body: '{"status":"succeeded"}',
    })
    const { invoke } = wrapHandler(wrap, { store: dynamo }, respond)
    await invoke(httpApiEvent({ sub, headers: { 'Idempotency-Key': key }, body: { card } }))
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }))
    const everything = JSON.stringify(Items)
    expect(everything).toContain('succeeded')
    for (const secret of [key, sub, card]) expect(everything).not.toContain(secret)
  })

  it('replays from the warm container without a store call when localCache is on', async () => {
    const { store, calls } = countingStore(dynamo)
    const { runs, invoke } = wrapHandler(wrap, { store, localCache: { maxEntries: 10 } })
    const event = payment(freshKey(), freshUser())
    await invoke(event)
    const callsAfterFirst = [...calls]
    const replay = await invoke(event)
    expect(headerOf(replay, 'idempotent-replayed')).toBe('true')
    expect(calls).toEqual(callsAfterFirst)
    expect(runs).toHaveBeenCalledTimes(1)
  })
})

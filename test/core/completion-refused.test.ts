import { randomBytes, randomUUID } from 'node:crypto'
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DynamoDBOwnWrites } from '../../lib/dynamodb/own-writes.js'
import {
  DynamoDBStore,
  IdempotencyCompletionRejectedError,
  type IdempotencyOptions,
  IdempotencyResultNotStoredError,
  type IdempotencyStore,
  idempotency,
  idempotencyOf,
  makeIdempotent,
} from '../../lib/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { silent } from '../support/events.js'
import { lambdaContext } from '../support/records.js'

/**
 * Completions DynamoDB refuses for good (a real ValidationException from DynamoDB Local, nothing mocked): never
 * an outage. A result it cannot hold is recorded as processed but not stored; the handler's own writes it
 * refuses release the key with a named error, since nothing was committed.
 */
const client = testDynamoDBClient()
let dynamodb: DynamoDBStore
let ordersTable: string
beforeAll(async () => {
  dynamodb = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client), client })
  ordersTable = await createTestTable(client, {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
  })
})

/**
 * The DynamoDB store seen without its declared `maxResultBytes`, as a custom store would be: nothing stops a
 * `maxStoredBytes` over the item limit at construction, so DynamoDB itself refuses the completion.
 */
const withoutDeclaredLimit = (store: DynamoDBStore): IdempotencyStore<DynamoDBOwnWrites> => ({
  acquire: (record, nowEpochMs) => store.acquire(record, nowEpochMs),
  complete: (record, writes) => store.complete(record, writes),
  release: (key, token) => store.release(key, token),
  openOwnWrites: (claim) => store.openOwnWrites(claim),
  get: (key) => store.get(key),
  getMany: (keys) => store.getMany(keys),
})

/** About 600 KB of random base64 in JSON: brotli cannot bring it under DynamoDB's 400 KB item limit. */
const incompressibleReport = () => ({ report: randomBytes(450_000).toString('base64') })

/** An order item of about 410 KB, over the item limit on its own. */
const oversizedOrder = (orderId: string) => ({
  Put: { TableName: ordersTable, Item: { orderId: { S: orderId }, blob: { S: 'x'.repeat(410_000) } } },
})
const smallOrder = (orderId: string) => ({
  Put: { TableName: ordersTable, Item: { orderId: { S: orderId } } },
})

const order = async (orderId: string) =>
  (await client.send(new GetItemCommand({ TableName: ordersTable, Key: { orderId: { S: orderId } } }))).Item

type Body = (event: { orderId: string }, context: object) => Promise<unknown>
type Wrap = (body: Body, options: IdempotencyOptions<{ orderId: string }, unknown>) => Body

const wrappers: [string, Wrap][] = [
  ['makeIdempotent', (body, options) => makeIdempotent(body, options)],
  [
    'the Middy middleware',
    (body, options) => {
      const handler = middy(body as (event: { orderId: string }, context: Context) => Promise<unknown>).use(
        idempotency(options),
      )
      return (event, context) => handler(event, context as Context)
    },
  ],
]

describe.each(wrappers)('a completion DynamoDB refuses for good, through %s', (_name, wrap) => {
  it('records a result too large for an item as processed but not stored: answered once, never run again', async () => {
    const orderId = randomUUID()
    const report = incompressibleReport()
    let runs = 0
    const handler = wrap(
      async () => {
        runs += 1
        return report
      },
      {
        store: withoutDeclaredLimit(dynamodb),
        key: (e) => e.orderId,
        maxStoredBytes: 1_000_000,
        logger: silent,
      },
    )
    const answer = await handler({ orderId }, lambdaContext())
    expect(answer === report).toBe(true)
    await expect(handler({ orderId }, lambdaContext())).rejects.toBeInstanceOf(
      IdempotencyResultNotStoredError,
    )
    expect(runs).toBe(1)
  })

  it('keeps the handler writes of a result too large for an item, committed once with the not-stored record', async () => {
    const orderId = randomUUID()
    let runs = 0
    const handler = wrap(
      async (event, context) => {
        runs += 1
        idempotencyOf(context)?.addToCompletion(smallOrder(event.orderId))
        return incompressibleReport()
      },
      {
        store: withoutDeclaredLimit(dynamodb),
        key: (e) => e.orderId,
        maxStoredBytes: 1_000_000,
        logger: silent,
      },
    )
    await handler({ orderId }, lambdaContext())
    await expect(handler({ orderId }, lambdaContext())).rejects.toBeInstanceOf(
      IdempotencyResultNotStoredError,
    )
    expect(runs).toBe(1)
    expect(await order(orderId)).toBeDefined()
  })

  it('releases the key with a named error when the handler writes are refused, so a retry runs again', async () => {
    const orderId = randomUUID()
    let runs = 0
    const handler = wrap(
      async (event, context) => {
        runs += 1
        idempotencyOf(context)?.addToCompletion(
          runs === 1 ? oversizedOrder(event.orderId) : smallOrder(event.orderId),
        )
        return { orderId: event.orderId }
      },
      { store: dynamodb, key: (e) => e.orderId, logger: silent },
    )
    const refused = handler({ orderId }, lambdaContext())
    await expect(refused).rejects.toBeInstanceOf(IdempotencyCompletionRejectedError)
    await expect(refused).rejects.toMatchObject({ statusCode: 500, code: 'completion-rejected' })
    expect(await order(orderId)).toBeUndefined()

    await expect(handler({ orderId }, lambdaContext())).resolves.toEqual({ orderId })
    expect(runs).toBe(2)
    expect(await order(orderId)).toBeDefined()
  })
})

describe('the result limit DynamoDBStore declares', () => {
  it('holds a result of exactly maxResultBytes under a key at DynamoDB’s 2 KB limit', async () => {
    const key = 'k'.repeat(2048 - 36) + randomUUID()
    const token = randomUUID()
    const nowMs = Date.now()
    const expiresAtEpochSeconds = Math.floor(nowMs / 1000) + 60
    await dynamodb.acquire(
      {
        key,
        token,
        fingerprint: 'fp',
        status: 'IN_PROGRESS',
        leaseUntilEpochMs: nowMs + 60_000,
        expiresAtEpochSeconds,
      },
      nowMs,
    )
    const compressed = randomBytes(dynamodb.maxResultBytes)
    await dynamodb.complete({
      key,
      token,
      fingerprint: 'fp',
      status: 'COMPLETED',
      result: { encoding: 'json+br', compressed },
      completedAtEpochMs: nowMs,
      expiresAtEpochSeconds,
    })
    const stored = await dynamodb.get(key)
    // Compared as one boolean: a failing deep equality of 400 KB arrays would take the diff minutes.
    const held =
      stored?.status === 'COMPLETED' && stored.result.encoding === 'json+br' && stored.result.compressed
    expect(held && Buffer.from(held).equals(compressed)).toBe(true)
  })
})

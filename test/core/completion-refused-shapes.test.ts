import { randomUUID } from 'node:crypto'
import {
  type CancellationReason,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBVersionStore, makeVersioned } from '../../lib/events/index.js'
import {
  DynamoDBStore,
  IdempotencyCompletionRejectedError,
  IdempotencyInProgressError,
  IdempotencyResultNotStoredError,
  InMemoryStore,
  idempotencyOf,
  makeIdempotent,
} from '../../lib/index.js'
import { encodeResult } from '../../lib/result-codec.js'
import { StoreWriteRefusedError } from '../../lib/store/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { silent } from '../support/events.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let tableName: string
let ordersTable: string
beforeAll(async () => {
  tableName = await createIdempotencyTestTable(client)
  ordersTable = await createTestTable(client, {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
  })
})

const order = async (orderId: string) =>
  (await client.send(new GetItemCommand({ TableName: ordersTable, Key: { orderId: { S: orderId } } }))).Item
const orderPut = (orderId: string, blobBytes = 0) => ({
  Put: { TableName: ordersTable, Item: { orderId: { S: orderId }, blob: { S: 'x'.repeat(blobBytes) } } },
})

/**
 * Real DynamoDB may answer an item too large inside a transaction as a TransactionCanceledException whose
 * reason for that action is ValidationError; DynamoDB Local answers a ValidationException for the whole
 * request. This injects real DynamoDB's shape into the first transaction a fresh client sends.
 */
function cancelledOnce(reasons: CancellationReason[]): {
  client: DynamoDBClient
  transactions: () => number
} {
  const faulty = testDynamoDBClient()
  let transactions = 0
  faulty.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args)
      transactions += 1
      if (transactions > 1) return next(args)
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: reasons,
      })
    },
    { step: 'initialize', name: 'cancelledOnce' },
  )
  return { client: faulty, transactions: () => transactions }
}

const TOO_LARGE = { Code: 'ValidationError', Message: 'Item size has exceeded the maximum allowed size' }

describe('a completion refused in the shape real DynamoDB uses', () => {
  function orderHandler(faulty: DynamoDBClient) {
    let runs = 0
    const handler = makeIdempotent(
      async (event: { orderId: string }, context: object) => {
        runs += 1
        idempotencyOf(context)?.addToCompletion(orderPut(event.orderId))
        return { orderId: event.orderId }
      },
      { store: new DynamoDBStore({ tableName, client: faulty }), key: (e) => e.orderId, logger: silent },
    )
    return { handler, runs: () => runs }
  }

  it('records the result as not stored when the refused action is the completion record', async () => {
    const orderId = randomUUID()
    const faulty = cancelledOnce([TOO_LARGE, { Code: 'None' }])
    const { handler, runs } = orderHandler(faulty.client)
    await expect(handler({ orderId }, lambdaContext())).resolves.toEqual({ orderId })
    await expect(handler({ orderId }, lambdaContext())).rejects.toBeInstanceOf(
      IdempotencyResultNotStoredError,
    )
    expect(runs()).toBe(1)
    expect(faulty.transactions()).toBe(2)
    expect(await order(orderId)).toBeDefined()
  })

  it('releases the key with a named error when the refused action is a handler write', async () => {
    const orderId = randomUUID()
    const faulty = cancelledOnce([{ Code: 'None' }, TOO_LARGE])
    const { handler, runs } = orderHandler(faulty.client)
    await expect(handler({ orderId }, lambdaContext())).rejects.toBeInstanceOf(
      IdempotencyCompletionRejectedError,
    )
    // The refusal named the handler's write: no second try of the completion without the result.
    expect(faulty.transactions()).toBe(1)
    expect(await order(orderId)).toBeUndefined()
    await expect(handler({ orderId }, lambdaContext())).resolves.toEqual({ orderId })
    expect(runs()).toBe(2)
  })
})

describe('a store that refuses every completion for good', () => {
  it('keeps the key held to its lease when even a completion without result or writes is refused', async () => {
    const store = new InMemoryStore()
    store.complete = async () => {
      throw new StoreWriteRefusedError('record', 'refused whatever it holds')
    }
    let runs = 0
    const handler = makeIdempotent(
      async () => {
        runs += 1
        return 'charged'
      },
      { store, key: () => 'k', logger: silent },
    )
    await expect(handler({}, lambdaContext())).rejects.toMatchObject({
      name: 'IdempotencyCompletionRejectedError',
      released: false,
    })
    await expect(handler({}, lambdaContext())).rejects.toBeInstanceOf(IdempotencyInProgressError)
    expect(runs).toBe(1)
  })
})

describe('a version-aware completion whose handler write DynamoDB refuses', () => {
  it('gives the version back with a named error, so its redelivery runs again', async () => {
    const id = randomUUID()
    const applied: string[] = []
    const handler = makeVersioned(
      async (change: { id: string; version: number; blobBytes: number }, context: object) => {
        applied.push(`v${change.version}`)
        idempotencyOf(context)?.addToCompletion(orderPut(`${change.id}-v${change.version}`, change.blobBytes))
      },
      { store: new DynamoDBVersionStore({ tableName, client }), entity: (change) => change },
    )
    await expect(handler({ id, version: 1, blobBytes: 410_000 }, lambdaContext())).rejects.toBeInstanceOf(
      IdempotencyCompletionRejectedError,
    )
    await expect(handler({ id, version: 1, blobBytes: 0 }, lambdaContext())).resolves.toMatchObject({
      kind: 'processed',
    })
    expect(applied).toEqual(['v1', 'v1'])
    expect(await order(`${id}-v1`)).toBeDefined()
  })
})

describe('encodeResult', () => {
  it('records an uncompressed result over maxStoredBytes as not stored, as it does a compressed one', () => {
    const json = JSON.stringify({ note: 'x'.repeat(200) })
    expect(encodeResult(JSON.parse(json), { compressAboveBytes: 1_000, maxStoredBytes: 100 })).toEqual({
      encoding: 'not-stored',
      reason: `${Buffer.byteLength(json)} bytes of JSON, over the 100 byte limit`,
    })
    expect(encodeResult(JSON.parse(json), { compressAboveBytes: 1_000, maxStoredBytes: 1_000 })).toEqual({
      encoding: 'json',
      json,
    })
  })
})

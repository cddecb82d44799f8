import { GetItemCommand, PutItemCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { fromItem, toItem } from '../../lib/dynamodb/item.js'
import { DynamoDBStore, IdempotencyLeaseLostError } from '../../lib/index.js'
import { type CompletedRecord, decide, type IdempotencyRecord } from '../../lib/store/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { completed, inProgress, NOW_MS, NOW_SECONDS } from '../support/records.js'

const client = testDynamoDBClient()
let tableName: string
let store: DynamoDBStore
let seq = 0
const freshKey = () => `fn#handler#key-${++seq}`

beforeAll(async () => {
  tableName = await createIdempotencyTestTable(client)
  store = new DynamoDBStore({ tableName, client })
})

async function seed(record: IdempotencyRecord) {
  await client.send(new PutItemCommand({ TableName: tableName, Item: toItem(record) }))
}

async function read(key: string): Promise<IdempotencyRecord | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } } }))
  return Item && fromItem(Item)
}

describe('DynamoDBStore.acquire against DynamoDB Local', () => {
  const candidate = (key: string) =>
    inProgress({ key, token: 'token-new', leaseUntilEpochMs: NOW_MS + 60_000 })

  it.each<[string, ((key: string) => IdempotencyRecord) | undefined, boolean]>([
    ['claims an absent key', undefined, true],
    ['refuses a completed record and returns it in the same call', (key) => completed({ key }), false],
    [
      'claims a completed record past its expiresAt that TTL has not yet deleted',
      (key) => completed({ key, expiresAtEpochSeconds: NOW_SECONDS - 1 }),
      true,
    ],
    ['refuses a live lease', (key) => inProgress({ key }), false],
    ['takes over a lease that has ended', (key) => inProgress({ key, leaseUntilEpochMs: NOW_MS - 1 }), true],
    [
      'refuses to take over an ended lease for a different payload',
      (key) => inProgress({ key, leaseUntilEpochMs: NOW_MS - 1, fingerprint: 'fp-2' }),
      false,
    ],
    [
      'refuses a completed record for a different payload',
      (key) => completed({ key, fingerprint: 'fp-2' }),
      false,
    ],
  ])('%s, exactly as decide() says', async (_name, seeded, expectAcquired) => {
    const key = freshKey()
    const existing = seeded?.(key)
    if (existing) await seed(existing)
    const request = candidate(key)

    const result = await store.acquire(request, NOW_MS)

    expect(result.acquired).toBe(expectAcquired)
    expect(decide(existing, request, NOW_MS).kind === 'execute').toBe(expectAcquired)
    if (result.acquired) expect(await read(key)).toEqual(request)
    else expect(result.existing).toEqual(existing)
  })

  it('returns the caller its own record when an SDK retry repeats a write that already landed', async () => {
    const request = candidate(freshKey())
    await store.acquire(request, NOW_MS)
    const again = await store.acquire(request, NOW_MS)
    expect(again.acquired).toBe(false)
    if (!again.acquired)
      expect(decide(again.existing, request, NOW_MS)).toEqual({ kind: 'execute', reason: 'owned' })
  })
})

describe('DynamoDBStore fencing against DynamoDB Local', () => {
  const resultOf = (json: string): CompletedRecord['result'] => ({ encoding: 'json', json })

  async function takeover(key: string) {
    const a = inProgress({ key, token: 'token-A', leaseUntilEpochMs: NOW_MS + 1_000 })
    const b = inProgress({ key, token: 'token-B', leaseUntilEpochMs: NOW_MS + 120_000 })
    expect((await store.acquire(a, NOW_MS)).acquired).toBe(true)
    expect((await store.acquire(b, NOW_MS + 1_000)).acquired).toBe(true)
    return { a, b }
  }

  it('refuses a zombie completion after a takeover and keeps the successor result', async () => {
    const key = freshKey()
    const { a, b } = await takeover(key)
    const bDone = completed({ key, token: b.token, result: resultOf('"B"') })
    await store.complete(bDone)
    await expect(
      store.complete(completed({ key, token: a.token, result: resultOf('"A"') })),
    ).rejects.toBeInstanceOf(IdempotencyLeaseLostError)
    expect(await read(key)).toEqual(bDone)
  })

  it('refuses a zombie release after a takeover and leaves the successor lease in place', async () => {
    const key = freshKey()
    const { a, b } = await takeover(key)
    await expect(store.release(key, a.token)).rejects.toBeInstanceOf(IdempotencyLeaseLostError)
    expect(await read(key)).toEqual(b)
  })

  it('cannot recreate a record by completing after it was deleted', async () => {
    const key = freshKey()
    await store.acquire(inProgress({ key, token: 'token-A' }), NOW_MS)
    await store.release(key, 'token-A')
    await expect(store.complete(completed({ key, token: 'token-A' }))).rejects.toBeInstanceOf(
      IdempotencyLeaseLostError,
    )
    expect(await read(key)).toBeUndefined()
  })

  it('treats releasing an already released key as done', async () => {
    const key = freshKey()
    await store.acquire(inProgress({ key, token: 'token-A' }), NOW_MS)
    await store.release(key, 'token-A')
    await expect(store.release(key, 'token-A')).resolves.toBeUndefined()
  })

  it('completes by replacing the lease with the result, removing the lease attribute', async () => {
    const key = freshKey()
    await store.acquire(inProgress({ key, token: 'token-A' }), NOW_MS)
    const done = completed({
      key,
      token: 'token-A',
      result: { encoding: 'json+br', compressed: new Uint8Array([1, 2, 3]) },
    })
    await store.complete(done)
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } } }))
    expect(Item?.leaseUntilMs).toBeUndefined()
    expect(await read(key)).toEqual(done)
  })

  it('reads one record and many records, consistently', async () => {
    const keys = [freshKey(), freshKey(), freshKey()]
    for (const key of keys.slice(0, 2)) await seed(completed({ key }))
    expect(await store.get(keys[0] as string)).toEqual(completed({ key: keys[0] }))
    const many = await store.getMany([...keys, keys[0] as string])
    expect([...many.keys()].sort()).toEqual(keys.slice(0, 2).sort())
  })
})

describe('DynamoDBStore transactional completion against DynamoDB Local', () => {
  let paymentsTable: string
  beforeAll(async () => {
    paymentsTable = await createTestTable(client, {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'paymentId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'paymentId', KeyType: 'HASH' }],
    })
  })
  /** The handler's own writes as the store opens them for a claim. */
  const writes = (...items: TransactWriteItem[]) => {
    const own = store.openOwnWrites({ key: 'writes', token: 'writes' })
    own.add(...items)
    return own
  }
  const paymentPut = (paymentId: string): TransactWriteItem => ({
    Put: {
      TableName: paymentsTable,
      Item: { paymentId: { S: paymentId } },
      ConditionExpression: 'attribute_not_exists(paymentId)',
    },
  })
  const payment = async (paymentId: string) =>
    (
      await client.send(
        new GetItemCommand({ TableName: paymentsTable, Key: { paymentId: { S: paymentId } } }),
      )
    ).Item

  it('commits the handler writes and the completion together', async () => {
    const key = freshKey()
    await store.acquire(inProgress({ key, token: 'token-A' }), NOW_MS)
    await store.complete(completed({ key, token: 'token-A' }), writes(paymentPut(`p-${key}`)))
    expect((await read(key))?.status).toBe('COMPLETED')
    expect(await payment(`p-${key}`)).toBeDefined()
  })

  it('commits nothing when the lease was lost, and says so', async () => {
    const key = freshKey()
    await store.acquire(inProgress({ key, token: 'token-A', leaseUntilEpochMs: NOW_MS + 10 }), NOW_MS)
    await store.acquire(inProgress({ key, token: 'token-B' }), NOW_MS + 10)
    await expect(
      store.complete(completed({ key, token: 'token-A' }), writes(paymentPut(`p-${key}`))),
    ).rejects.toBeInstanceOf(IdempotencyLeaseLostError)
    expect(await payment(`p-${key}`)).toBeUndefined()
    expect((await read(key))?.token).toBe('token-B')
  })

  it('hands the handler its own refused write and leaves the lease held', async () => {
    const key = freshKey()
    const existingPayment = `p-existing-${key}`
    await client.send(
      new PutItemCommand({ TableName: paymentsTable, Item: { paymentId: { S: existingPayment } } }),
    )

    await store.acquire(inProgress({ key, token: 'token-A' }), NOW_MS)
    await expect(
      store.complete(completed({ key, token: 'token-A' }), writes(paymentPut(existingPayment))),
    ).rejects.toMatchObject({
      name: 'TransactionCanceledException',
    })
    expect((await read(key))?.status).toBe('IN_PROGRESS')
  })
})

import {
  BatchGetItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DynamoDBStore, IdempotencyStoreUnavailableError, makeIdempotent } from '../../lib/index.js'
import { lambdaContext } from '../support/records.js'

// DynamoDB Local never throttles or drops connections, so these faults are mocked at the SDK client.
const mocked = mockClient(DynamoDBClient)
afterEach(() => mocked.reset())

const silent = { warn: () => undefined }

function wrapped(client: DynamoDBClient) {
  const body = vi.fn(async () => 'charged')
  const handler = makeIdempotent(body, {
    store: new DynamoDBStore({ tableName: 'idempotency', client }),
    key: () => 'k',
    logger: silent,
  })
  return { body, handler }
}

const networkError = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' })

describe('store faults', () => {
  it.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} })],
    ['a network error', networkError],
  ])('never runs the handler when acquire fails with %s', async (_name, fault) => {
    mocked.on(PutItemCommand).rejects(fault)
    const { body, handler } = wrapped(new DynamoDBClient({ region: 'eu-west-1' }))
    const error = await handler({}, lambdaContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(IdempotencyStoreUnavailableError)
    expect((error as IdempotencyStoreUnavailableError).statusCode).toBe(503)
    expect((error as Error).cause).toBe(fault)
    expect(body).not.toHaveBeenCalled()
  })

  it('does not release a key whose completion failed after the side effect, so no retry can run it again at once', async () => {
    mocked.on(PutItemCommand).resolves({})
    mocked.on(UpdateItemCommand).rejects(networkError)
    const { body, handler } = wrapped(new DynamoDBClient({ region: 'eu-west-1' }))
    await expect(handler({}, lambdaContext())).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError)
    expect(body).toHaveBeenCalledTimes(1)
    expect(mocked.commandCalls(DeleteItemCommand)).toHaveLength(0)
  })

  it('keeps the handler error when releasing the key fails too', async () => {
    mocked.on(PutItemCommand).resolves({})
    mocked.on(DeleteItemCommand).rejects(networkError)
    const store = new DynamoDBStore({
      tableName: 'idempotency',
      client: new DynamoDBClient({ region: 'eu-west-1' }),
    })
    const handler = makeIdempotent(
      async () => {
        throw new Error('card network down')
      },
      { store, key: () => 'k', logger: silent },
    )
    await expect(handler({}, lambdaContext())).rejects.toThrow('card network down')
  })
})

describe('a throttled BatchGetItem', () => {
  const store = () =>
    new DynamoDBStore({ tableName: 'idempotency', client: new DynamoDBClient({ region: 'eu-west-1' }) })
  const keyOf = (key: string) => ({ id: { S: key } })

  it('asks again for the keys DynamoDB left unprocessed until every one is read', async () => {
    const item = (key: string) => ({
      ...keyOf(key),
      status: { S: 'IN_PROGRESS' },
      token: { S: 't' },
      fingerprint: { S: 'f' },
      expiresAt: { N: '9999999999' },
      leaseUntilMs: { N: '1' },
    })
    mocked
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { idempotency: [item('a')] },
        UnprocessedKeys: { idempotency: { Keys: [keyOf('b')] } },
      })
      .resolvesOnce({ Responses: { idempotency: [item('b')] } })
    const found = await store().getMany(['a', 'b'])
    expect([...found.keys()].sort()).toEqual(['a', 'b'])
    expect(
      mocked.commandCalls(BatchGetItemCommand)[1]?.args[0].input.RequestItems?.idempotency?.Keys,
    ).toEqual([keyOf('b')])
  })

  it('gives up as an outage when keys stay unprocessed', async () => {
    mocked.on(BatchGetItemCommand).resolves({ UnprocessedKeys: { idempotency: { Keys: [keyOf('a')] } } })
    await expect(store().getMany(['a'])).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError)
  })
})

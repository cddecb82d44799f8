import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { UnprocessedItemsError, upsertItems } from '../../lib/pipelines/dynamodb/index.js'

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }))
const mock = mockClient(documents)
afterEach(() => {
  mock.reset()
  vi.useRealTimers()
})

const items = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ id: `item-${index}`, value: index }))
const options = { tableName: 'totals', key: ['id'] }
const sentItems = () =>
  mock.commandCalls(BatchWriteCommand).flatMap((call) => call.args[0].input.RequestItems?.totals ?? [])

describe('upsert by key on DynamoDB (BatchWriteItem, with aws-sdk-client-mock)', () => {
  it('writes 10,000 items in calls of 25 at most', async () => {
    mock.on(BatchWriteCommand).resolves({})
    expect(await upsertItems(documents, options, items(10_000))).toBe(10_000)
    const calls = mock.commandCalls(BatchWriteCommand)
    expect(calls).toHaveLength(400)
    expect(Math.max(...calls.map((call) => call.args[0].input.RequestItems?.totals?.length ?? 0))).toBe(25)
  })

  it('resends the items a throttled table left unprocessed, until none is left', async () => {
    const [first, second] = items(2).map((Item) => ({ PutRequest: { Item } }))
    mock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { totals: [first, second] as never } })
      .resolvesOnce({ UnprocessedItems: { totals: [second] as never } })
      .resolves({})
    await upsertItems(documents, options, items(3))
    expect(sentItems().map((request) => request.PutRequest?.Item?.id)).toEqual([
      'item-0',
      'item-1',
      'item-2',
      'item-0',
      'item-1',
      'item-1',
    ])
  })

  it('gives up with UnprocessedItemsError after eight rounds of backoff, instead of spinning or dropping them', async () => {
    vi.useFakeTimers()
    mock.on(BatchWriteCommand).callsFake((input) => ({ UnprocessedItems: input.RequestItems }))
    const attempt = upsertItems(documents, options, items(2))
    const settled = expect(attempt).rejects.toEqual(new UnprocessedItemsError(2))
    await vi.runAllTimersAsync()
    await settled
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(8)
  })

  it('keeps the last of two items with one key, which a single batch would refuse', async () => {
    mock.on(BatchWriteCommand).resolves({})
    await upsertItems(documents, options, [
      { id: 'a', value: 1 },
      { id: 'a', value: 2 },
    ])
    expect(sentItems().map((request) => request.PutRequest?.Item)).toEqual([{ id: 'a', value: 2 }])
    await expect(upsertItems(documents, options, [{ value: 3 }])).rejects.toThrow(/lacks its key/)
  })
})

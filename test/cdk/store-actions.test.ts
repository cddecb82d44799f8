import type { TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { IDEMPOTENCY_STORE_ACTIONS } from '../../lib/cdk/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { completed, inProgress, NOW_MS } from '../support/records.js'

/** IAM names each action inside TransactWriteItems by its own operation. */
const TRANSACT_ACTION_IAM = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
} as const

interface SentCommand {
  readonly name: string
  readonly input: Record<string, unknown>
}

/** The IAM actions a command needs on `tableName`, as IAM evaluates them. */
function iamActionsOn(tableName: string, { name, input }: SentCommand): string[] {
  if (name === 'TransactWriteItemsCommand') {
    return (input.TransactItems as TransactWriteItem[]).flatMap((item) =>
      Object.entries(item)
        .filter(([, action]) => (action as { TableName?: string }).TableName === tableName)
        .map(([kind]) => TRANSACT_ACTION_IAM[kind as keyof typeof TRANSACT_ACTION_IAM]),
    )
  }
  const targets =
    input.TableName === tableName ||
    Object.keys((input.RequestItems as Record<string, unknown> | undefined) ?? {}).includes(tableName)
  return targets ? [`dynamodb:${name.replace(/Command$/, '')}`] : []
}

describe('the grant matches what DynamoDBStore really sends', () => {
  const client = testDynamoDBClient()
  const sent: SentCommand[] = []
  let tableName: string
  let ownTableName: string

  beforeAll(async () => {
    tableName = await createIdempotencyTestTable(client, 'grant')
    ownTableName = await createTestTable(client, {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    })
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ name: context.commandName as string, input: args.input as Record<string, unknown> })
        return next(args)
      },
      { step: 'initialize' },
    )
  })

  it('needs exactly IDEMPOTENCY_STORE_ACTIONS on its table across every store operation', async () => {
    const store = new DynamoDBStore({ tableName, client })
    // Every IdempotencyStore operation, each path that sends something different: claim, refusal, completion
    // alone and in a transaction with the handler's own write, release, and both reads.
    await store.acquire(inProgress({ key: 'a', token: 't-a' }), NOW_MS)
    await store.acquire(inProgress({ key: 'a', token: 't-other' }), NOW_MS)
    await store.complete(completed({ key: 'a', token: 't-a' }))
    await store.acquire(inProgress({ key: 'b', token: 't-b' }), NOW_MS)
    const ownWrites = store.openOwnWrites({ key: 'b', token: 't-b' })
    ownWrites.add({ Put: { TableName: ownTableName, Item: { pk: { S: 'payment-1' } } } })
    await store.complete(completed({ key: 'b', token: 't-b' }), ownWrites)
    await store.acquire(inProgress({ key: 'c', token: 't-c' }), NOW_MS)
    await store.release('c', 't-c')
    expect(await store.get('a')).toMatchObject({ status: 'COMPLETED' })
    expect((await store.getMany(['a', 'b'])).size).toBe(2)

    const needed = new Set(sent.flatMap((command) => iamActionsOn(tableName, command)))
    expect([...needed].sort()).toEqual([...IDEMPOTENCY_STORE_ACTIONS].sort())
    expect(sent.map((command) => command.name)).toContain('TransactWriteItemsCommand')
  })
})

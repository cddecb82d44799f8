import { randomUUID } from 'node:crypto'
import { GetItemCommand } from '@aws-sdk/client-dynamodb'
import type { SQSRecord } from 'aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DynamoDBVersionStore,
  makeVersioned,
  makeVersionedBatchHandler,
  type RecordOutcomeKind,
  sqsBatch,
  type VersionState,
  type VersionStore,
} from '../../lib/events/index.js'
import { IdempotencyInProgressError, IdempotencyLeaseLostError, idempotencyOf } from '../../lib/index.js'
import { sha256 } from '../../lib/store/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { countCommands, sqsEvent, sqsRecord } from '../support/events.js'
import { NOW_MS } from '../support/records.js'

const client = testDynamoDBClient()
const commands = countCommands(client)
let tableName: string
let store: DynamoDBVersionStore

beforeAll(async () => {
  tableName = await createIdempotencyTestTable(client)
  store = new DynamoDBVersionStore({ tableName, client })
})

type Change = { readonly orderId: string; readonly version: number }
const NAMESPACE = 'orders-projection'
const keyOf = (orderId: string) => `${NAMESPACE}#entity-version#${sha256(orderId)}`
const entity = (change: Change) => ({ id: change.orderId, version: change.version })

async function stateOf(orderId: string, from: VersionStore = store): Promise<VersionState | undefined> {
  return (await from.getMany([keyOf(orderId)])).get(keyOf(orderId))
}

describe('version-aware processing on DynamoDB Local', () => {
  function projection(options: { now?: () => number; leaseMs?: number } = {}) {
    const applied: number[] = []
    const started: number[] = []
    const gates = new Map<number, Promise<void>>()
    const handler = makeVersioned(
      async (change: Change) => {
        started.push(change.version)
        await gates.get(change.version)
        applied.push(change.version)
        return { applied: change.version }
      },
      { store, entity, namespace: NAMESPACE, ...options },
    )
    return { applied, started, gates, handler }
  }

  it('processes v3, then treats v2 and a second v3 as stale no-ops without running them', async () => {
    const orderId = randomUUID()
    const { applied, handler } = projection()
    expect(await handler({ orderId, version: 3 }, {})).toEqual({
      kind: 'processed',
      version: 3n,
      result: { applied: 3 },
    })
    expect(await handler({ orderId, version: 2 }, {})).toEqual({
      kind: 'stale',
      version: 2n,
      currentVersion: 3n,
    })
    expect(await handler({ orderId, version: 3 }, {})).toEqual({
      kind: 'stale',
      version: 3n,
      currentVersion: 3n,
    })
    expect(applied).toEqual([3])
  })

  it('never lets v4 run after v5 when the two race, over 10 rounds', async () => {
    for (let round = 0; round < 10; round++) {
      const orderId = randomUUID()
      const { applied, gates, handler } = projection()
      // Both handlers take a while, so the two attempts overlap whatever order their claims land in.
      for (const version of [4, 5]) gates.set(version, new Promise((resolve) => setTimeout(resolve, 10)))
      // Redelivery of an event refused as in flight, as SQS would do after its visibility timeout.
      const deliver = async (version: number): Promise<string> => {
        for (;;) {
          try {
            return (await handler({ orderId, version }, {})).kind
          } catch (error) {
            if (!(error instanceof IdempotencyInProgressError)) throw error
            await new Promise((resolve) => setTimeout(resolve, 5))
          }
        }
      }
      const kinds = await Promise.all([deliver(4), deliver(5)])

      expect(applied.at(-1), `round ${round}`).toBe(5)
      expect(applied.filter((version) => version === 5)).toHaveLength(1)
      expect(applied).toEqual(applied.toSorted())
      expect(kinds).toContain('processed')
      expect((await stateOf(orderId))?.version).toBe(5n)
    }
  })

  it('leaves the entity at its last completed version when processing fails, and the redelivery runs', async () => {
    const orderId = randomUUID()
    let fail = true
    const handler = makeVersioned(
      async (change: Change) => {
        if (fail) throw new Error('downstream unavailable')
        return change.version
      },
      { store, entity, namespace: NAMESPACE },
    )
    await store.claim({ key: keyOf(orderId), version: 1n, token: 't', leaseUntilEpochMs: NOW_MS }, NOW_MS)
    await store.complete({ key: keyOf(orderId), version: 1n, token: 't', leaseUntilEpochMs: NOW_MS })

    await expect(handler({ orderId, version: 2 }, {})).rejects.toThrow('downstream unavailable')
    expect(await stateOf(orderId)).toEqual({ key: keyOf(orderId), version: 1n })

    fail = false
    expect(await handler({ orderId, version: 2 }, {})).toMatchObject({ kind: 'processed', version: 2n })
  })

  it('holds the entity after a crash only until the lease ends, then runs the version', async () => {
    const orderId = randomUUID()
    let nowMs = Date.now()
    const { applied, gates, handler } = projection({ now: () => nowMs, leaseMs: 1_000 })
    gates.set(2, new Promise(() => undefined))
    void handler({ orderId, version: 2 }, {})
    await expect.poll(async () => (await stateOf(orderId))?.claim?.version).toBe(2n)

    await expect(handler({ orderId, version: 3 }, {})).rejects.toBeInstanceOf(IdempotencyInProgressError)
    nowMs += 1_001
    expect(await handler({ orderId, version: 3 }, {})).toMatchObject({ kind: 'processed', version: 3n })
    expect(applied).toEqual([3])
  })

  it('refuses a zombie completion after a takeover, and the newer version stands', async () => {
    const orderId = randomUUID()
    let nowMs = Date.now()
    const { started, gates, handler } = projection({ now: () => nowMs, leaseMs: 1_000 })
    let wakeZombie: () => void = () => undefined
    gates.set(4, new Promise<void>((resolve) => (wakeZombie = resolve)))
    const zombie = handler({ orderId, version: 4 }, {})
    // Its lease must run out while its handler runs: a claim already expired when it returns never runs at all.
    await expect.poll(() => started).toContain(4)
    expect((await stateOf(orderId))?.claim?.version).toBe(4n)

    nowMs += 1_001
    expect(await handler({ orderId, version: 5 }, {})).toMatchObject({ kind: 'processed' })
    wakeZombie()

    await expect(zombie).rejects.toBeInstanceOf(IdempotencyLeaseLostError)
    expect(await stateOf(orderId)).toEqual({
      key: keyOf(orderId),
      version: 5n,
      completedBy: expect.any(String),
    })
  })

  it('commits writes added to the completion in one transaction with the new version', async () => {
    const business = await createTestTable(client, {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    })
    const orderId = randomUUID()
    const handler = makeVersioned(
      async (change: Change, context: object) => {
        idempotencyOf(context)?.addToCompletion({
          Put: {
            TableName: business,
            Item: { pk: { S: change.orderId }, version: { N: String(change.version) } },
          },
        })
      },
      { store, entity, namespace: NAMESPACE },
    )
    commands.reset()

    await handler({ orderId, version: 7 }, {})

    expect(commands.counts()).toEqual({ UpdateItem: 1, TransactWriteItems: 1 })
    const { Item } = await client.send(
      new GetItemCommand({ TableName: business, Key: { pk: { S: orderId } } }),
    )
    expect(Item?.version).toEqual({ N: '7' })
    expect((await stateOf(orderId))?.version).toBe(7n)
  })
})

describe('a version-aware SQS batch on DynamoDB Local', () => {
  it('skips stale records with one BatchGetItem and no write, and runs one entity in order', async () => {
    const [a, b] = [randomUUID(), randomUUID()]
    const change = (orderId: string, version: number) => sqsRecord(randomUUID(), { orderId, version })
    const applied: string[] = []
    const outcomes: RecordOutcomeKind[] = []
    const handler = makeVersionedBatchHandler(
      sqsBatch,
      async (record: SQSRecord) => {
        const { orderId, version } = JSON.parse(record.body) as Change
        applied.push(`${orderId === a ? 'a' : 'b'}${version}`)
      },
      {
        store,
        namespace: NAMESPACE,
        entity: (record) => entity(JSON.parse(record.body)),
        onRecord: (outcome) => outcomes.push(outcome.kind),
      },
    )
    await handler(sqsEvent(change(a, 2), change(b, 1), change(a, 3)), {})
    expect(applied.filter((name) => name.startsWith('a'))).toEqual(['a2', 'a3'])
    applied.length = 0
    outcomes.length = 0
    commands.reset()

    expect(await handler(sqsEvent(change(a, 3), change(a, 1), change(b, 2)), {})).toEqual({
      batchItemFailures: [],
    })

    expect(applied).toEqual(['b2'])
    expect(outcomes).toEqual(['stale', 'stale', 'processed'])
    expect(commands.counts()).toEqual({ BatchGetItem: 1, UpdateItem: 2 })
  })
})

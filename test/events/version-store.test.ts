import { randomUUID } from 'node:crypto'
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DynamoDBVersionStore,
  decideVersion,
  InMemoryVersionStore,
  type VersionClaim,
  type VersionState,
  type VersionStore,
} from '../../lib/events/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { NOW_MS } from '../support/records.js'

const client = testDynamoDBClient()
let tableName: string
let store: DynamoDBVersionStore

beforeAll(async () => {
  tableName = await createIdempotencyTestTable(client)
  store = new DynamoDBVersionStore({ tableName, client })
})

describe('version claims agree with decideVersion on every seeded state, in both stores', () => {
  const other = { token: 'token-other', leaseUntilEpochMs: NOW_MS + 30_000 }
  const ended = { token: 'token-other', leaseUntilEpochMs: NOW_MS - 1 }
  const cases: [string, Omit<VersionState, 'key'> | undefined, number, string][] = [
    ['claims an entity never seen', undefined, 1, 'claim'],
    ['claims a newer version', { version: 3n }, 4, 'claim'],
    ['refuses the same version as stale', { version: 3n }, 3, 'stale'],
    ['refuses an older version as stale', { version: 3n }, 2, 'stale'],
    [
      'refuses a newer version while another holds a live claim',
      { claim: { version: 4n, ...other } },
      5,
      'conflict',
    ],
    [
      'refuses an older version than a live claim as a conflict, not stale',
      { version: 1n, claim: { version: 3n, ...other } },
      2,
      'conflict',
    ],
    ['takes over a claim whose lease ended', { version: 3n, claim: { version: 4n, ...ended } }, 5, 'claim'],
    [
      'lets an SDK retry of its own claim through',
      { claim: { version: 4n, ...other, token: 'token-self' } },
      4,
      'claim',
    ],
    [
      'refuses a stale version even when a claim ended',
      { version: 5n, claim: { version: 6n, ...ended } },
      5,
      'stale',
    ],
  ]
  const memory = new InMemoryVersionStore()

  async function seed(target: VersionStore, key: string, seeded: Omit<VersionState, 'key'>) {
    if (target === memory) return void memory.states.set(key, { key, ...seeded })
    const item: Record<string, AttributeValue> = { id: { S: key } }
    if (seeded.version !== undefined) item.version = { N: String(seeded.version) }
    if (seeded.claim) {
      item.claimedVersion = { N: String(seeded.claim.version) }
      item.token = { S: seeded.claim.token }
      item.leaseUntilMs = { N: String(seeded.claim.leaseUntilEpochMs) }
    }
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }))
  }

  it.each(cases)('%s', async (_name, seeded, version, expected) => {
    for (const target of [store, memory]) {
      const key = `seeded#${randomUUID()}`
      if (seeded) await seed(target, key, seeded)
      const request: VersionClaim = {
        key,
        version: BigInt(version),
        token: 'token-self',
        leaseUntilEpochMs: NOW_MS + 60_000,
      }
      const existing = seeded && { key, ...seeded }

      const result = await target.claim(request, NOW_MS)

      expect(decideVersion(existing, request, NOW_MS).kind).toBe(expected)
      expect(result.claimed).toBe(expected === 'claim')
      if (!result.claimed) expect(result.existing).toEqual(existing)
    }
  })
})

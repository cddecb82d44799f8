import { randomUUID } from 'node:crypto'
import type { KinesisStreamRecord } from 'aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DynamoDBVersionStore,
  kinesisBatch,
  makeVersionedBatchHandler,
  type RecordOutcomeKind,
} from '../../lib/events/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { countCommands, silent } from '../support/events.js'
import { decodeData, kinesisEvent, kinesisFailures, kinesisStream } from '../support/kinesis-events.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
const commands = countCommands(client)
let store: DynamoDBVersionStore

beforeAll(async () => {
  store = new DynamoDBVersionStore({ tableName: await createIdempotencyTestTable(client), client })
})

/** A balance change: the account's ledger version, as the producer numbers it. */
type BalanceChange = { readonly account: string; readonly version: number }
const nameOf = (record: KinesisStreamRecord) => {
  const { account, version } = decodeData<BalanceChange>(record)
  return `${account.slice(0, 1)}${version}`
}

/** Projects balances, newest version per account; `failing` names the changes whose handler throws. */
function balanceProjection() {
  const applied: string[] = []
  const outcomes: Record<string, RecordOutcomeKind> = {}
  const failing = new Set<string>()
  const batch = makeVersionedBatchHandler(
    kinesisBatch,
    async (record: KinesisStreamRecord) => {
      if (failing.has(nameOf(record))) throw new Error(`ledger unavailable for ${nameOf(record)}`)
      applied.push(nameOf(record))
    },
    {
      store,
      operation: 'balances',
      logger: silent,
      entity: (record) => {
        const { account, version } = decodeData<BalanceChange>(record)
        return { id: account, version }
      },
      onRecord: ({ record, kind }) => {
        outcomes[nameOf(record)] = kind
      },
    },
  )
  const deliver = async (...records: KinesisStreamRecord[]) => {
    applied.length = 0
    for (const name of Object.keys(outcomes)) delete outcomes[name]
    commands.reset()
    return batch(kinesisEvent(...records), lambdaContext())
  }
  return { applied, outcomes, failing, deliver }
}

describe('a version-aware Kinesis batch on DynamoDB Local', () => {
  it('holds a shard behind its failed change, then applies only the newer versions on redelivery', async () => {
    const stream = kinesisStream()
    const [x, y] = [`x-${randomUUID()}`, `y-${randomUUID()}`]
    const [a, b] = [stream.shard(0), stream.shard(1)]
    const x1 = a.put({ account: x, version: 1 }, x)
    const y1 = b.put({ account: y, version: 1 }, y)
    const x2 = a.put({ account: x, version: 2 }, x)
    const y2 = b.put({ account: y, version: 2 }, y)
    const x3 = a.put({ account: x, version: 3 }, x)
    const projection = balanceProjection()
    projection.failing.add('x2')

    expect(await projection.deliver(x1, y1, x2, y2, x3)).toEqual(kinesisFailures(x2, x3))
    expect(projection.applied.toSorted()).toEqual(['x1', 'y1', 'y2'])
    expect(projection.outcomes).toMatchObject({ x2: 'failed', x3: 'skipped' })

    projection.failing.clear()
    expect(await projection.deliver(x1, y1, x2, y2, x3)).toEqual(kinesisFailures())
    expect(projection.applied).toEqual(['x2', 'x3'])
    expect(projection.outcomes).toEqual({
      x1: 'stale',
      y1: 'stale',
      x2: 'processed',
      y2: 'stale',
      x3: 'processed',
    })
    // One read for every account in the batch; a claim and a completion per version applied.
    expect(commands.counts()).toEqual({ BatchGetItem: 1, UpdateItem: 4 })
  })

  it("treats a producer's late resend of an older version, at a higher sequence number, as stale", async () => {
    const shard = kinesisStream().shard(0)
    const x = `x-${randomUUID()}`
    const projection = balanceProjection()
    await projection.deliver(
      shard.put({ account: x, version: 1 }, x),
      shard.put({ account: x, version: 2 }, x),
    )

    expect(await projection.deliver(shard.put({ account: x, version: 1 }, x))).toEqual(kinesisFailures())
    expect(projection.applied).toEqual([])
    expect(projection.outcomes).toEqual({ x1: 'stale' })
  })
})

import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { describe, expect, inject, it } from 'vitest'
import { countStoreCalls } from '../../bench/calls.js'
import { capacityMeter } from '../../bench/capacity.js'
import { type MeteredCall, unitsOf } from '../../bench/cost.js'
import { createBenchTables } from '../../bench/dynamodb.js'
import { localDynamoDBClientConfig } from '../../scripts/dynamodb-local.js'

// The call-counting part of `npm run bench`: counts are deterministic, so unlike timings they can gate a change.
describe('the benchmark counting DynamoDB calls per request', () => {
  it('finds ours at the floor on every path and never above Powertools', async () => {
    const config = localDynamoDBClientConfig(inject('dynamodbEndpoint'))
    const rows = await countStoreCalls(config, await createBenchTables(config))

    expect(Object.fromEntries(rows.map((row) => [row.path, row.calls.ours]))).toEqual({
      'fresh success': ['PutItem', 'UpdateItem'],
      replay: ['PutItem'],
      'in-flight duplicate': ['PutItem'],
      'handler error': ['PutItem', 'DeleteItem'],
      'replay, warm local cache': [],
      'payment with its own write': ['PutItem', 'TransactWriteItems'],
      'fresh, 100 KB result': ['PutItem', 'UpdateItem'],
      'replay of a 100 KB result': ['PutItem'],
    })
    for (const row of rows) {
      expect(row.calls.ours.length, row.path).toBe(row.floor)
      expect(row.calls.ours.length, row.path).toBeLessThanOrEqual(row.calls.theirs.length)
    }
  })

  it('prices the write units of each path from the items its calls touched (docs/cost.md)', async () => {
    const config = localDynamoDBClientConfig(inject('dynamodbEndpoint'))
    const sizer = new DynamoDBClient(config)
    const meter = capacityMeter(sizer)
    try {
      const rows = await countStoreCalls(config, await createBenchTables(config), meter.install)
      const wru = (side: 'ours' | 'theirs') =>
        Object.fromEntries(
          rows.map((row) => [
            row.path,
            unitsOf(row.recorded[side].map((call) => meter.of(call.input) as MeteredCall)).wru,
          ]),
        )
      const ours = wru('ours')
      const theirs = wru('theirs')

      // 1 + S with S = 1 for a small result; atomic completion 1 + 2 × (S + I); a refused write pays for S.
      expect(ours).toMatchObject({
        'fresh success': 2,
        replay: 1,
        'in-flight duplicate': 1,
        'handler error': 2,
        'replay, warm local cache': 0,
        'payment with its own write': 5,
      })
      expect(theirs['in-flight duplicate']).toBe(2)
      // The compressed result: under a third of Powertools' write units, on the completion and on every replay.
      expect(ours['fresh, 100 KB result']).toBeLessThanOrEqual((theirs['fresh, 100 KB result'] ?? 0) / 3)
      expect(ours['replay of a 100 KB result']).toBeLessThanOrEqual(
        (theirs['replay of a 100 KB result'] ?? 0) / 3,
      )
    } finally {
      sizer.destroy()
    }
  })
})

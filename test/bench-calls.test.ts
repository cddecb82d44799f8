import { describe, expect, inject, it } from 'vitest'
import { countStoreCalls } from '../bench/calls.js'
import { createBenchTables } from '../bench/dynamodb.js'
import { localDynamoDBClientConfig } from '../scripts/dynamodb-local.js'

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
    })
    for (const row of rows) {
      expect(row.calls.ours.length, row.path).toBe(row.floor)
      expect(row.calls.ours.length, row.path).toBeLessThanOrEqual(row.calls.theirs.length)
    }
  })
})

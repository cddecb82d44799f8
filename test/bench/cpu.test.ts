import { describe, expect, inject, it } from 'vitest'
import { prepare } from '../../bench/cpu.js'
import { createBenchTables } from '../../bench/dynamodb.js'
import { benchContext } from '../../bench/workload.js'
import { localDynamoDBClientConfig } from '../../scripts/dynamodb-local.js'

// What the CPU timings run, checked without timing anything: a replay case must replay its own result.
describe('the benchmark preparing its CPU cases', () => {
  it('replays the 100 KB result in the large-response replay case, even after the small replay case', async () => {
    const config = localDynamoDBClientConfig(inject('dynamodbEndpoint'))
    const tables = await createBenchTables(config)
    // The order bench/run.ts prepares them in: both cases use a 1 KB event.
    await prepare(config, tables, { path: 'replay', eventBytes: 1024 })
    const large = await prepare(config, tables, {
      path: 'replay',
      eventBytes: 1024,
      responseBytes: 100 * 1024,
    })

    for (const variant of large.variants) {
      const result = await variant.handler(large.event, benchContext())
      expect(JSON.stringify(result).length, variant.name).toBeGreaterThan(100_000)
    }
  })
})

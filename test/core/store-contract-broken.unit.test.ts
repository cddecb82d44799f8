import { describe, expect, it } from 'vitest'
import { runStoreContract } from '../../lib/testing/index.js'
import { BROKEN_STORES, brokenHarness } from '../support/broken-stores.js'

describe('the store contract against stores broken on purpose', () => {
  it('passes the working in-memory store the broken ones are made from', async () => {
    const outcomes = await runStoreContract(() => brokenHarness({ name: 'is not broken', break: () => ({}) }))
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([])
  })

  it.each(BROKEN_STORES.map((broken) => [broken.name, broken] as const))(
    'catches a store that %s',
    async (_name, broken) => {
      const outcomes = await runStoreContract(() => brokenHarness(broken))
      const failed = outcomes.filter((outcome) => outcome.error !== undefined)
      expect(failed.length, 'no case caught the break').toBeGreaterThan(0)
    },
  )
})

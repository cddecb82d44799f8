import { validate, version } from 'uuid'
import { describe, expect, it } from 'vitest'
import { planLoad } from '../../scripts/load/plan.js'

const isUuidV7 = (key: string) => validate(key) && version(key) === 7

describe('the keys the load test sends', () => {
  it('are UUIDv7s made by the uuid package, one per logical payment, as the docs tell clients to make them', () => {
    const shape = { requests: 40, keys: 10, abortRate: 0, maxAbortAfterMs: 1, seed: 7 }
    const { keys, requests } = planLoad(shape, 'run')
    expect(keys.map((key) => key.key).filter((key) => !isUuidV7(key))).toEqual([])
    expect(new Set(keys.map((key) => key.key)).size).toBe(10)
    // Duplicates reuse their key's string: a retry sends the very key the first attempt did.
    expect(new Set(requests.map((request) => request.key.key)).size).toBe(10)
  })
})

import { describe, expect, it } from 'vitest'
import {
  costPerMillion,
  lambdaGbSeconds,
  type MeteredCall,
  PRICES,
  readUnits,
  unitsOf,
  usdPerMillionPerDurationMs,
  type WriteImage,
  writeUnits,
} from '../../bench/cost.js'

const put = (sentBytes: number, beforeBytes = 0): WriteImage => ({
  beforeBytes,
  afterBytes: beforeBytes === 0 ? sentBytes : beforeBytes,
  sentBytes,
})
const call = (command: string, writes: WriteImage[], transactional = false): MeteredCall => ({
  command,
  transactional,
  writes,
  reads: [],
})

describe('the cost model of the benchmark', () => {
  it('charges a write one unit per started KB of the larger image, and at least one', () => {
    expect(writeUnits(put(220), false)).toBe(1)
    expect(writeUnits(put(1024), false)).toBe(1)
    expect(writeUnits(put(1025), false)).toBe(2)
    expect(writeUnits({ beforeBytes: 220, afterBytes: 15_129, sentBytes: 0 }, false)).toBe(15)
    expect(writeUnits({ beforeBytes: 0, afterBytes: 0, sentBytes: 0 }, false)).toBe(1)
  })

  it('charges a refused conditional write for the item already stored', () => {
    // A replay: a 220-byte claim refused by an 84,937-byte completed record.
    expect(writeUnits({ beforeBytes: 84_937, afterBytes: 84_937, sentBytes: 220 }, false)).toBe(83)
  })

  it('charges a transactional write twice, item by item', () => {
    const completion = { beforeBytes: 230, afterBytes: 400, sentBytes: 0 }
    const payment = { beforeBytes: 0, afterBytes: 1100, sentBytes: 1100 }
    expect(unitsOf([call('TransactWriteItems', [completion, payment], true)])).toEqual({ wru: 2 + 4, rru: 0 })
  })

  it('charges reads per 4 KB: strong whole, eventual half, transactional double, each batch item alone', () => {
    expect(readUnits({ bytes: 4096, consistency: 'strong' })).toBe(1)
    expect(readUnits({ bytes: 4097, consistency: 'strong' })).toBe(2)
    expect(readUnits({ bytes: 4097, consistency: 'eventual' })).toBe(1)
    expect(readUnits({ bytes: 100, consistency: 'transactional' })).toBe(2)
    expect(readUnits({ bytes: 0, consistency: 'strong' })).toBe(1)
    // AWS's example: a batch of 1.5 KB and 6.5 KB items is read as 4 KB + 8 KB.
    const batch: MeteredCall = {
      command: 'BatchGetItem',
      transactional: false,
      writes: [],
      reads: [
        { bytes: 1536, consistency: 'strong' },
        { bytes: 6656, consistency: 'strong' },
      ],
    }
    expect(unitsOf([batch])).toEqual({ wru: 0, rru: 3 })
  })

  it('bills CPU as the duration it takes on the share of a vCPU the memory buys', () => {
    // One CPU-second at 1,024 MB runs 1,769/1,024 s on 1 GB; at 1,769 MB and above a thread gets no faster.
    expect(lambdaGbSeconds(1_000_000, 1024)).toBeCloseTo(1769 / 1024, 10)
    expect(lambdaGbSeconds(1_000_000, 512)).toBeCloseTo(1769 / 1024, 10)
    expect(lambdaGbSeconds(1_000_000, 3538)).toBeCloseTo(3538 / 1024, 10)
  })

  it('prices a path per million requests at the list prices', () => {
    const cost = costPerMillion(1000, { wru: 2, rru: 1 })
    expect(cost.lambdaUsd).toBeCloseTo(0.001 * (1769 / 1024) * PRICES.lambdaX86UsdPerGbSecond * 1e6, 10)
    expect(cost.lambdaUsd).toBeCloseTo(0.02879, 5)
    expect(cost.dynamodbUsd).toBeCloseTo(2 * 0.625 + 0.125, 10)
    expect(cost.totalUsd).toBeCloseTo(cost.lambdaUsd + cost.dynamodbUsd, 10)
    expect(usdPerMillionPerDurationMs()).toBeCloseTo(0.0166667, 7)
  })

  it('shows a compressed 100 KB result paying for its CPU with the write units it saves', () => {
    // Claim 220 bytes, completion 15,129 bytes compressed (1.8 ms of CPU) against 84,937 bytes as a map (1.0 ms).
    const ours = unitsOf([
      call('PutItem', [put(220)]),
      call('UpdateItem', [{ beforeBytes: 220, afterBytes: 15_129, sentBytes: 0 }]),
    ])
    const theirs = unitsOf([
      call('PutItem', [put(220)]),
      call('UpdateItem', [{ beforeBytes: 220, afterBytes: 84_937, sentBytes: 0 }]),
    ])
    expect(ours).toEqual({ wru: 16, rru: 0 })
    expect(theirs).toEqual({ wru: 84, rru: 0 })
    const oursCost = costPerMillion(1800, ours)
    const theirsCost = costPerMillion(1000, theirs)
    expect(oursCost.lambdaUsd - theirsCost.lambdaUsd).toBeCloseTo(0.02303, 5)
    expect(theirsCost.dynamodbUsd - oursCost.dynamodbUsd).toBeCloseTo(42.5, 10)
    expect(theirsCost.totalUsd - oursCost.totalUsd).toBeCloseTo(42.477, 3)
  })
})

import middy from '@middy/core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DynamoDBStore,
  IdempotencyLeaseLostError,
  type IdempotencyOptions,
  idempotency,
  makeIdempotent,
} from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { raceForOneKey } from '../support/race.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let store: DynamoDBStore
beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client), client })
})

const silent = { warn: () => undefined }
const ROUNDS = 10
const CONCURRENCY = 50

describe('one key under concurrency, on DynamoDB Local', () => {
  it(`runs the body exactly once when ${CONCURRENCY} invocations race for one key, over ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      let executions = 0
      const handler = middy(async (event: { key: string }) => {
        executions += 1
        await new Promise((resolve) => setTimeout(resolve, 20))
        return { paid: event.key }
      }).use(idempotency({ store, key: (event: { key: string }) => event.key, logger: silent }))

      const key = `race-${round}-${Date.now()}`
      await raceForOneKey(handler, { key }, { paid: key }, CONCURRENCY)
      expect(executions, `round ${round}`).toBe(1)
    }
  })

  it('releases the key when the handler throws, and the retry runs', async () => {
    let attempts = 0
    const key = `throws-${Date.now()}`
    const handler = makeIdempotent(
      async () => {
        attempts += 1
        if (attempts === 1) throw new Error('boom')
        return 'second time lucky'
      },
      { store, key: () => key, logger: silent },
    )
    await expect(handler({}, lambdaContext())).rejects.toThrow('boom')
    await expect(handler({}, lambdaContext())).resolves.toBe('second time lucky')
    await expect(handler({}, lambdaContext())).resolves.toBe('second time lucky')
    expect(attempts).toBe(2)
  })

  it('fences a zombie: A loses its lease, B takes over and completes, A finishes late and gets lease-lost', async () => {
    let nowMs = Date.now()
    let finishA: () => void = () => undefined
    const key = `zombie-${nowMs}`
    const warnings: string[] = []
    const options: IdempotencyOptions<{ who: string }, string> = {
      store,
      key: () => key,
      payload: () => 'same payment',
      leaseMs: 1_000,
      now: () => nowMs,
      logger: { warn: (message) => warnings.push(message) },
    }
    const handler = makeIdempotent(async (event: { who: string }) => {
      if (event.who === 'A') await new Promise<void>((resolve) => (finishA = resolve))
      return event.who
    }, options)

    const a = handler({ who: 'A' }, {})
    await new Promise((resolve) => setTimeout(resolve, 50))
    nowMs += 1_500
    await expect(handler({ who: 'B' }, {})).resolves.toBe('B')
    finishA()
    await expect(a).rejects.toBeInstanceOf(IdempotencyLeaseLostError)
    expect(warnings.some((w) => w.includes('Lease lost'))).toBe(true)
    await expect(handler({ who: 'C' }, {})).resolves.toBe('B')
  })
})

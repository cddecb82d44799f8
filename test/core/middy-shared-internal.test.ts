import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DynamoDBStore,
  IdempotencyInProgressError,
  idempotency,
  idempotencyOf,
  makeIdempotent,
} from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { freshKey, silent } from '../support/http-harness.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let store: DynamoDBStore

beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'middy-internal'), client })
})

interface Order {
  readonly orderId: string
  readonly caller: string
}

/** Lambda Managed Instances run many invocations at once in one process; each request below is one of them. */
describe('the core Middy middleware with many requests in one process', () => {
  it('keeps each request’s claim its own when Middy’s internal option shares one object between them', async () => {
    const gates = new Map<string, () => void>()
    const runs: string[] = []
    const body = async (event: Order) => {
      runs.push(event.caller)
      await new Promise<void>((resolve) => gates.set(event.caller, resolve))
      return { chargedFor: event.caller }
    }
    // Middy's documented plugin option: one `internal` object for every request of this handler.
    const handler = middy(body, { internal: {} }).use(
      idempotency<Order, unknown>({ store, key: (e) => e.orderId, payload: () => 'same', logger: silent }),
    )
    const orderId = freshKey()
    const invoke = (caller: string) =>
      handler({ orderId, caller }, lambdaContext() as unknown as Context).catch((error: unknown) => error)

    const first = invoke('first')
    await until(() => gates.has('first'))
    const duplicate = await invoke('duplicate')
    expect(duplicate).toBeInstanceOf(IdempotencyInProgressError)
    const third = invoke('third')
    await new Promise((resolve) => setTimeout(resolve, 200))
    gates.get('third')?.()
    gates.get('first')?.()
    const [firstAnswer, thirdAnswer] = await Promise.all([first, third])

    expect(runs).toEqual(['first'])
    expect(firstAnswer).toEqual({ chargedFor: 'first' })
    expect(thirdAnswer).toBeInstanceOf(IdempotencyInProgressError)
    const replay = await invoke('later')
    expect(replay).toEqual({ chargedFor: 'first' })
  })
})

describe('handles when two requests are given one context object', () => {
  it('refuses to hand either request the other’s handle, and each keeps the one it took before', async () => {
    const shared = lambdaContext()
    const taken: string[] = []
    let arrived = 0
    let release: () => void = () => undefined
    const bothIn = new Promise<void>((resolve) => {
      release = resolve
    })
    const handler = makeIdempotent(
      async (_event: { orderId: string }, context: object) => {
        const mine = (() => {
          try {
            return idempotencyOf(context)?.stableKey('gateway')
          } catch {
            return 'refused'
          }
        })()
        if (++arrived === 2) release()
        await bothIn
        taken.push(mine ?? 'none')
        return idempotencyOf(context)?.stableKey('gateway')
      },
      { store, key: (e) => e.orderId, logger: silent },
    )
    const answers = await Promise.allSettled([
      handler({ orderId: freshKey() }, shared),
      handler({ orderId: freshKey() }, shared),
    ])
    expect(answers.map((a) => a.status)).toEqual(['rejected', 'rejected'])
    expect(String((answers[0] as PromiseRejectedResult).reason)).toMatch(/share one context object/)
    // The first took its own handle before the second arrived; the second was refused, never given the first's.
    expect(taken.filter((key) => key === 'refused')).toHaveLength(1)
    expect(taken.filter((key) => key !== 'refused' && key !== 'none')).toHaveLength(1)
  })
})

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

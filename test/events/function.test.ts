import { randomUUID } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { makeIdempotentFunction } from '../../lib/events/index.js'
import {
  IdempotencyPayloadMismatchError,
  InMemoryStore,
  idempotencyOf,
  makeIdempotent,
} from '../../lib/index.js'
import { idempotencyStoreOnDynamoDBLocal } from '../support/events.js'
import { lambdaContext } from '../support/records.js'

const dynamodb = idempotencyStoreOnDynamoDBLocal()
const { commands } = dynamodb

type ChargeRequest = { paymentId: string; amount: { value: number; currency: string } }

describe('makeIdempotentFunction on DynamoDB Local', () => {
  it('runs once when called twice with the same arguments, whatever their key order, and replays the result', async () => {
    const gateway = vi.fn(async (request: ChargeRequest) => ({ chargeId: `ch-${request.paymentId}` }))
    const charge = makeIdempotentFunction(gateway, {
      store: dynamodb.store,
      operation: `charge-${randomUUID()}`,
    })
    const paymentId = randomUUID()

    const first = await charge({ paymentId, amount: { value: 5, currency: 'EUR' } })
    const second = await charge({ amount: { currency: 'EUR', value: 5 }, paymentId })

    expect(second).toEqual(first)
    expect(gateway).toHaveBeenCalledTimes(1)
    expect(commands.counts()).toEqual({ PutItem: 2, UpdateItem: 1 })
  })

  it('runs once when two invocations call it at the same time, the second waiting for the first result', async () => {
    let finish: () => void = () => undefined
    const gateway = vi.fn(async (paymentId: string) => {
      await new Promise<void>((resolve) => {
        finish = resolve
      })
      return { charged: paymentId }
    })
    const charge = makeIdempotentFunction(gateway, {
      store: dynamodb.store,
      operation: `charge-${randomUUID()}`,
      maxWaitMs: 5_000,
    })
    const first = charge('p-1')
    await vi.waitFor(() => expect(gateway).toHaveBeenCalledTimes(1))
    const second = charge('p-1')
    finish()

    expect(await Promise.all([first, second])).toEqual([{ charged: 'p-1' }, { charged: 'p-1' }])
    expect(gateway).toHaveBeenCalledTimes(1)
  })

  it("keeps a gateway charge to one across a handler's retries, keyed by the handler's stable key", async () => {
    const charged: string[] = []
    const charge = makeIdempotentFunction(
      async (request: { paymentId: string; idempotencyKey: string }) => {
        charged.push(request.paymentId)
        return { chargeId: `ch-${charged.length}` }
      },
      {
        store: dynamodb.store,
        operation: `gateway-${randomUUID()}`,
        key: (request) => request.idempotencyKey,
      },
    )
    let attempts = 0
    const createPayment = makeIdempotent(
      async (event: { paymentId: string }, context: object) => {
        const idempotencyKey = idempotencyOf(context)?.stableKey('gateway-charge') ?? ''
        const { chargeId } = await charge({ paymentId: event.paymentId, idempotencyKey })
        attempts += 1
        if (attempts === 1) throw new Error('crashed after the charge, before the payment was saved')
        return { paymentId: event.paymentId, chargeId }
      },
      { store: dynamodb.store, key: (event) => event.paymentId, operation: `create-${randomUUID()}` },
    )
    const event = { paymentId: randomUUID() }

    await expect(createPayment(event, lambdaContext())).rejects.toThrow('crashed')
    expect(await createPayment(event, lambdaContext())).toEqual({
      paymentId: event.paymentId,
      chargeId: 'ch-1',
    })
    expect(charged).toEqual([event.paymentId])
  })
})

describe('makeIdempotentFunction', () => {
  it('stores nothing when the function throws, so the next call runs again', async () => {
    let calls = 0
    const flaky = makeIdempotentFunction(
      async () => {
        calls += 1
        if (calls === 1) throw new Error('timeout')
        return 'ok'
      },
      { store: new InMemoryStore(), operation: 'flaky' },
    )
    await expect(flaky()).rejects.toThrow('timeout')
    expect(await flaky()).toBe('ok')
    expect(await flaky()).toBe('ok')
    expect(calls).toBe(2)
  })

  it('refuses other arguments under an explicit key already used, never returning the first result', async () => {
    const send = makeIdempotentFunction(async (_id: string, text: string) => text.length, {
      store: new InMemoryStore(),
      operation: 'send',
      key: (id) => id,
    })
    expect(await send('m-1', 'hello')).toBe(5)
    await expect(send('m-1', 'goodbye')).rejects.toBeInstanceOf(IdempotencyPayloadMismatchError)
  })

  it('keeps two steps apart when their arguments are equal but their operations differ', async () => {
    const store = new InMemoryStore()
    const reserve = makeIdempotentFunction(async (orderId: string) => `reserved ${orderId}`, {
      store,
      operation: 'reserve',
    })
    const ship = makeIdempotentFunction(async (orderId: string) => `shipped ${orderId}`, {
      store,
      operation: 'ship',
    })
    expect([await reserve('o-1'), await ship('o-1')]).toEqual(['reserved o-1', 'shipped o-1'])
  })

  it("leases for the Lambda's remaining time through withContext, and for leaseMs without a context", async () => {
    const store = new InMemoryStore()
    const nowMs = Date.UTC(2026, 0, 1)
    const leases: number[] = []
    const step = makeIdempotentFunction(
      async (n: number) => {
        const record = [...store.records.values()].at(-1)
        if (record?.status === 'IN_PROGRESS') leases.push(record.leaseUntilEpochMs - nowMs)
        return n
      },
      { store, operation: 'lease', leaseMs: 7_000, now: () => nowMs },
    )
    await step.withContext({ getRemainingTimeInMillis: () => 3_000 })(1)
    await step(2)
    expect(leases).toEqual([5_000, 7_000])
  })

  it("leaves the enclosing handler's idempotency handle and completion writes its own", async () => {
    const store = new InMemoryStore()
    const step = makeIdempotentFunction(async (n: number) => n * 2, { store, operation: 'double' })
    const handler = makeIdempotent(
      async (event: { n: number }, context: object) => {
        const before = idempotencyOf(context)?.recordKey
        const doubled = await step.withContext(context)(event.n)
        expect(idempotencyOf(context)?.recordKey).toBe(before)
        idempotencyOf(context)?.addToCompletion({
          Put: { TableName: 'results', Item: { n: { N: String(doubled) } } },
        })
        return doubled
      },
      { store, key: (event) => String(event.n) },
    )
    expect(await handler({ n: 21 }, lambdaContext())).toBe(42)
    expect(store.committedWrites).toEqual([{ Put: { TableName: 'results', Item: { n: { N: '42' } } } }])
  })
})

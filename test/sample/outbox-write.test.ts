import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { scanAll } from '../../functions/shared/reads.js'
import { ensureTables } from '../../scripts/local-api/tables.js'
import { testDynamoDBClient } from '../support/dynamodb.js'
import { festivalSale } from '../support/local-api.js'
import {
  outboxEventsOf,
  PAYMENT_TIMEOUT_MS,
  paymentsWithPausableGateway,
  sampleTables,
} from '../support/outbox.js'

const db = testDynamoDBClient()
const tables = sampleTables('outbox-write')
/** The outbox keeps an event a week after the payment (functions/shared/outbox.ts). */
const WEEK_SECONDS = 7 * 24 * 60 * 60

beforeAll(() => ensureTables(db, tables))
afterAll(() => db.destroy())

const freshUser = () => `shopper-${randomUUID()}`
const json = (result: { body?: string }) => JSON.parse(result.body ?? '{}')
const paymentsOf = async (owner: string) =>
  (await scanAll(db, tables.payments)).filter((item) => item.owner === owner)

describe('create-payment and its outbox', () => {
  it('writes one payment-succeeded event, with an id derived from the payment, in the payment’s transaction', async () => {
    const payments = paymentsWithPausableGateway(db, tables)
    const user = freshUser()
    const key = randomUUID()
    const created = await payments.pay(user, { key })
    const { paymentId, chargeId, createdAt } = json(created)

    expect(await outboxEventsOf(db, tables.outbox, user)).toEqual([
      {
        eventId: `payment-succeeded:${paymentId}`,
        type: 'payment-succeeded',
        occurredAt: createdAt,
        payment: { paymentId, owner: user, ...festivalSale, chargeId },
      },
    ])
    const [item] = (await scanAll(db, tables.outbox)).filter(
      (candidate) => candidate.eventId === `payment-succeeded:${paymentId}`,
    )
    expect(item?.expiresAt).toBe(Math.floor(Date.parse(createdAt) / 1000) + WEEK_SECONDS)

    const replay = await payments.pay(user, { key })
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true')
    expect(await outboxEventsOf(db, tables.outbox, user)).toHaveLength(1)
  })

  it('announces no declined payment: the 402 is stored with its payment and no event', async () => {
    const payments = paymentsWithPausableGateway(db, tables)
    const user = freshUser()
    const declined = await payments.pay(user, { body: { amount: 402, currency: 'INR' } })
    expect(declined.statusCode).toBe(402)
    expect(await paymentsOf(user)).toHaveLength(1)
    expect(await outboxEventsOf(db, tables.outbox, user)).toEqual([])
  })

  it('writes neither the payment nor its event for an invocation that lost its lease', async () => {
    const payments = paymentsWithPausableGateway(db, tables)
    const user = freshUser()
    const key = randomUUID()
    payments.pauseAfterNextCharge()
    const first = payments.pay(user, { key })
    await vi.waitFor(() => expect(payments.pausedCount()).toBe(1))
    // The first invocation stalls past its deadline; a retry takes the key over and stalls after charging too.
    payments.advanceClock(PAYMENT_TIMEOUT_MS + 3_000)
    payments.pauseAfterNextCharge()
    const retry = payments.pay(user, { key })
    await vi.waitFor(() => expect(payments.pausedCount()).toBe(2))

    payments.resumeOldest()
    const zombie = await first
    expect(zombie.statusCode).toBe(409)
    expect(json(zombie).type).toMatch(/#lease-lost$/)
    expect(await paymentsOf(user)).toEqual([])
    expect(await outboxEventsOf(db, tables.outbox, user)).toEqual([])

    payments.resumeOldest()
    const completed = await retry
    expect(completed.statusCode).toBe(201)
    expect(await paymentsOf(user)).toHaveLength(1)
    expect(await outboxEventsOf(db, tables.outbox, user)).toMatchObject([
      { eventId: `payment-succeeded:${json(completed).paymentId}` },
    ])
  })
})

import { randomUUID } from 'node:crypto'
import { ScanCommand } from '@aws-sdk/client-dynamodb'
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPaymentHandler } from '../../functions/handlers/create-payment.js'
import { type ChargeRequest, createSimulatedGateway, listCharges } from '../../functions/shared/gateway.js'
import type { PaymentsTableNames } from '../../functions/shared/tables.js'
import type { HttpResult } from '../../lib/http/index.js'
import { ensureTables } from '../../scripts/local-api/tables.js'
import { testDynamoDBClient, uniqueTableName } from '../support/dynamodb.js'
import { httpApiEvent } from '../support/http-events.js'
import { festivalSale } from '../support/local-api.js'
import { lambdaContext } from '../support/records.js'

const db = testDynamoDBClient()
const tables: PaymentsTableNames = {
  idempotency: uniqueTableName('recovery-idem'),
  payments: uniqueTableName('recovery-payments'),
  gatewayLedger: uniqueTableName('recovery-ledger'),
  outbox: uniqueTableName('recovery-outbox'),
}
/** The function's timeout; its lease ends this long after the claim, plus the engine's 2 s margin. */
const TIMEOUT_MS = 10_000
/** The retention of an idempotency record (the preset's default ttlSeconds), in milliseconds. */
const DAY_MS = 24 * 60 * 60 * 1000

beforeAll(() => ensureTables(db, tables))
afterAll(() => db.destroy())

/** create-payment with a clock the test moves, and a gateway that can freeze right after charging. */
function setup() {
  let clockEpochMs = Date.now()
  let freezeNext = false
  let wake: () => void = () => undefined
  const frozen = vi.fn()
  const real = createSimulatedGateway({ client: db, ledgerTableName: tables.gatewayLedger, latencyMs: 0 })
  const gateway = {
    async charge(request: ChargeRequest) {
      const charge = await real.charge(request)
      if (freezeNext) {
        freezeNext = false
        frozen()
        await new Promise<void>((resolve) => (wake = resolve))
      }
      return charge
    },
  }
  const handler = createPaymentHandler(
    { client: db, tables, gateway },
    { now: () => clockEpochMs, logger: { warn: () => undefined } },
  )
  const key = randomUUID()
  const invoke = (body: unknown = festivalSale): Promise<HttpResult> =>
    handler(
      httpApiEvent({
        sub: 'asha',
        headers: { 'Idempotency-Key': key, 'Content-Type': 'application/json' },
        body,
      }),
      lambdaContext(TIMEOUT_MS, 'create-payment') as unknown as Context,
    )
  return {
    invoke,
    frozen,
    freezeAfterNextCharge: () => (freezeNext = true),
    wake: () => wake(),
    advanceClock: (ms: number) => (clockEpochMs += ms),
  }
}

const json = (result: HttpResult) => JSON.parse(result.body as string)
const ledgerEntry = async (chargeId: string) =>
  (await listCharges(db, tables.gatewayLedger)).filter((charge) => charge.chargeId === chargeId)
const paymentItems = async (paymentId: string) =>
  ((await db.send(new ScanCommand({ TableName: tables.payments, ConsistentRead: true }))).Items ?? []).filter(
    (item) => item.paymentId?.S === paymentId,
  )

describe('create-payment after a crash between the charge and the completion', () => {
  it('completes on the retry after the lease with the same payment id and charge, charging once', async () => {
    const payment = setup()
    payment.freezeAfterNextCharge()
    const crashed = payment.invoke()
    await vi.waitFor(() => expect(payment.frozen).toHaveBeenCalled())
    // The charged invocation never completes; its lease runs out at its deadline plus the margin.
    payment.advanceClock(TIMEOUT_MS + 3_000)

    const retry = await payment.invoke()
    expect(retry.statusCode).toBe(201)
    const { paymentId, chargeId } = json(retry)
    expect(await ledgerEntry(chargeId)).toMatchObject([{ requests: 2 }])
    expect(await paymentItems(paymentId)).toHaveLength(1)

    // The frozen invocation wakes up late: fencing refuses its completion, and its payment write with it.
    payment.wake()
    const zombie = await crashed
    expect(zombie.statusCode).toBe(409)
    expect(json(zombie).type).toMatch(/#lease-lost$/)
    expect(await paymentItems(paymentId)).toHaveLength(1)
    const replay = await payment.invoke()
    expect(replay.headers?.['Idempotent-Replayed']).toBe('true')
    expect(replay.body).toBe(retry.body)
  })
})

describe('create-payment after the idempotency record has expired (24 h)', () => {
  it('answers the same request with its existing payment, without calling the gateway again', async () => {
    const payment = setup()
    const first = await payment.invoke()
    payment.advanceClock(DAY_MS + 60_000)
    const later = await payment.invoke()
    expect(later.statusCode).toBe(201)
    expect(later.headers?.['Idempotent-Replayed']).toBeUndefined()
    expect(later.body).toBe(first.body)
    expect(await ledgerEntry(json(first).chargeId)).toMatchObject([{ requests: 1 }])
  })

  it('refuses a different payment under the key with 422 key-reused, stored like any final answer', async () => {
    const payment = setup()
    await payment.invoke()
    payment.advanceClock(DAY_MS + 60_000)
    const other = await payment.invoke({ ...festivalSale, amount: 1_000 })
    expect(other.statusCode).toBe(422)
    expect(json(other).type).toMatch(/functions\/problems\.md#key-reused$/)
    const again = await payment.invoke({ ...festivalSale, amount: 1_000 })
    expect(again.headers?.['Idempotent-Replayed']).toBe('true')
  })
})

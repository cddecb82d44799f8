import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import { createSimulatedGateway, listCharges } from '../../functions/shared/gateway.js'
import { gatewayLedgerTableDefinition } from '../../functions/shared/tables.js'
import {
  DynamoDBStore,
  IdempotencyHandlerTimeoutError,
  IdempotencyLeaseLostError,
  idempotency,
  idempotencyOf,
  makeIdempotent,
} from '../../lib/index.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { freshKey, silent } from '../support/http-harness.js'
import { lambdaContext } from '../support/records.js'

const client = testDynamoDBClient()
let store: DynamoDBStore
let ledgerTableName: string

beforeAll(async () => {
  store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client, 'zombie-body'), client })
  ledgerTableName = await createTestTable(client, gatewayLedgerTableDefinition('unused'), 'zombie-ledger')
})

interface Payment {
  readonly orderId: string
  readonly amount: number
}

/** A Lambda environment frozen mid-body: the body waits here until the test thaws it. */
function freezer() {
  const frozen: (() => void)[] = []
  return {
    freeze: () => new Promise<void>((resolve) => frozen.push(resolve)),
    thawAll: () => {
      for (const thaw of frozen.splice(0)) thaw()
    },
  }
}

/**
 * What a body that outlives its invocation can and cannot do (docs/lambda-hazards.md): its completion is
 * fenced (or never attempted), so it cannot overwrite its successor's record, but its side effects run when it
 * thaws. Only a downstream key from `stableKey()` makes that late call a repeat instead of a second charge.
 */
describe('a body that outlives its invocation', () => {
  it('charges once when it thaws after a retry took its key over, because both used the stable gateway key', async () => {
    let offsetMs = 0
    const now = () => Date.now() + offsetMs
    const gateway = createSimulatedGateway({ client, ledgerTableName, latencyMs: 0 })
    const { freeze, thawAll } = freezer()
    const addsAfterThaw: unknown[] = []
    let calls = 0
    const body = async (event: Payment, context: Context) => {
      const handle = idempotencyOf(context)
      if (handle === undefined) throw new Error('no handle')
      if (++calls === 1) await freeze()
      const charge = await gateway.charge({
        gatewayKey: handle.stableKey('gateway'),
        amount: event.amount,
        currency: 'INR',
      })
      if (handle.signal.aborted) {
        try {
          handle.addToCompletion({ ConditionCheck: undefined })
        } catch (error) {
          addsAfterThaw.push(error)
        }
      }
      return { chargeId: charge.chargeId }
    }
    const handler = middy(body).use(
      idempotency<Payment, unknown>({ store, key: (e) => e.orderId, now, logger: silent }),
    )
    const payment = { orderId: freshKey(), amount: 60_000 }

    const first = await handler(payment, lambdaContext(150) as unknown as Context).catch((e: unknown) => e)
    expect(first).toBeInstanceOf(IdempotencyHandlerTimeoutError)
    offsetMs += 60_000 // the environment stays frozen past the first claim's lease
    const retry = (await handler(payment, lambdaContext(5_000) as unknown as Context)) as { chargeId: string }
    thawAll()
    await new Promise((resolve) => setTimeout(resolve, 300))

    const charges = (await listCharges(client, ledgerTableName)).filter((c) => c.chargeId === retry.chargeId)
    expect(charges).toHaveLength(1)
    expect(charges[0]?.requests).toBe(2) // the thawed body's call was a repeat, answered with the same charge
    expect(addsAfterThaw).toHaveLength(1) // its own writes can no longer join any completion
    const replay = await handler(payment, lambdaContext(5_000) as unknown as Context)
    expect(replay).toEqual(retry)
  })

  it('cannot overwrite its successor’s result through the plain wrapper: its late completion is refused', async () => {
    let offsetMs = 0
    const { freeze, thawAll } = freezer()
    let calls = 0
    const handler = makeIdempotent(
      async (event: Payment) => {
        if (++calls === 1) await freeze()
        return { run: calls, amount: event.amount }
      },
      { store, key: (e) => e.orderId, now: () => Date.now() + offsetMs, logger: silent },
    )
    const payment = { orderId: freshKey(), amount: 500 }
    const zombie = handler(payment, lambdaContext(1_000)).catch((error: unknown) => error)
    while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    offsetMs += 60_000
    const successor = await handler(payment, lambdaContext(1_000))
    thawAll()
    expect(await zombie).toBeInstanceOf(IdempotencyLeaseLostError)
    expect(await handler(payment, lambdaContext(1_000))).toEqual(successor)
  })
})

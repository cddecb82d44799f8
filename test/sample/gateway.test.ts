import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatedGateway, GatewayError, listCharges } from '../../functions/shared/gateway.js'
import { gatewayLedgerTableDefinition } from '../../functions/shared/tables.js'
import { FaultSwitch } from '../../scripts/local-api/local-routes.js'
import { createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { freshKey } from '../support/local-api.js'

const db = testDynamoDBClient()
let ledgerTableName: string

beforeAll(async () => {
  const { TableName: _name, ...definition } = gatewayLedgerTableDefinition('unused')
  ledgerTableName = await createTestTable(db, definition, 'gateway-ledger')
})
afterAll(() => db.destroy())

const gatewayWith = (faults?: FaultSwitch) =>
  createSimulatedGateway({ client: db, ledgerTableName, latencyMs: 0, faults })
const inLedger = async (gatewayKey: string) =>
  (await listCharges(db, ledgerTableName)).filter((charge) => charge.gatewayKey === gatewayKey)

describe('the simulated gateway, on its DynamoDB ledger', () => {
  it('charges once per gateway key, returns that charge to every repeat and counts the repeats', async () => {
    const gateway = gatewayWith()
    const request = { gatewayKey: freshKey(), amount: 6_000_000, currency: 'INR' }
    const first = await gateway.charge(request)
    const repeats = await Promise.all(Array.from({ length: 9 }, () => gateway.charge(request)))
    expect(first).toMatchObject({ status: 'succeeded', requests: 1, amount: 6_000_000, currency: 'INR' })
    expect(new Set(repeats.map((charge) => charge.chargeId))).toEqual(new Set([first.chargeId]))
    expect(await inLedger(request.gatewayKey)).toMatchObject([{ chargeId: first.chargeId, requests: 10 }])
  })

  it('charges separately under another key', async () => {
    const gateway = gatewayWith()
    const [a, b] = [freshKey(), freshKey()]
    const charges = [await gateway.charge({ gatewayKey: a, amount: 5, currency: 'INR' })]
    charges.push(await gateway.charge({ gatewayKey: b, amount: 5, currency: 'INR' }))
    expect(charges[0]?.chargeId).not.toBe(charges[1]?.chargeId)
  })

  it('declines the test amount 402 and keeps the decline as the answer for that key', async () => {
    const gateway = gatewayWith()
    const request = { gatewayKey: freshKey(), amount: 402, currency: 'INR' }
    const declined = await gateway.charge(request)
    expect(declined.status).toBe('declined')
    expect(await gateway.charge(request)).toMatchObject({ chargeId: declined.chargeId, status: 'declined' })
  })

  it('refuses a gateway key reused with another amount, and leaves the first charge as it was', async () => {
    const gateway = gatewayWith()
    const gatewayKey = freshKey()
    const first = await gateway.charge({ gatewayKey, amount: 500, currency: 'INR' })
    const reused = await gateway.charge({ gatewayKey, amount: 900, currency: 'INR' }).catch((error) => error)
    expect(reused).toBeInstanceOf(GatewayError)
    expect(reused.code).toBe('key-reused')
    expect(await inLedger(gatewayKey)).toMatchObject([{ chargeId: first.chargeId, amount: 500 }])
  })

  it('fails exactly the next n calls when told to, without touching the ledger, then charges again', async () => {
    const faults = new FaultSwitch()
    const gateway = gatewayWith(faults)
    const request = { gatewayKey: freshKey(), amount: 700, currency: 'INR' }
    faults.failNext(2)
    for (let call = 0; call < 2; call++) {
      const failure = await gateway.charge(request).catch((error) => error)
      expect(failure).toBeInstanceOf(GatewayError)
      expect(failure.code).toBe('unavailable')
    }
    expect(await inLedger(request.gatewayKey)).toEqual([])
    expect(await gateway.charge(request)).toMatchObject({ requests: 1 })
  })
})

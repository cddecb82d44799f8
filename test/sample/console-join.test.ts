import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSimulatedGateway } from '../../functions/shared/gateway.js'
import { gatewayLedgerTableDefinition } from '../../functions/shared/tables.js'
import { toItem } from '../../lib/dynamodb/item.js'
import { sha256 } from '../../lib/store/index.js'
import { ConsoleRecorder } from '../../scripts/local-api/console/recorder.js'
import { consoleState } from '../../scripts/local-api/console/state.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { freshKey } from '../support/local-api.js'

const db = testDynamoDBClient()
let tables: { idempotency: string; gatewayLedger: string }

beforeAll(async () => {
  const { TableName: _name, ...ledger } = gatewayLedgerTableDefinition('unused')
  const [idempotency, gatewayLedger] = await Promise.all([
    createIdempotencyTestTable(db, 'console-idem'),
    createTestTable(db, ledger, 'console-ledger'),
  ])
  tables = { idempotency, gatewayLedger }
})
afterAll(() => db.destroy())

const newRecordKey = () => `payments#create-payment#${sha256(freshKey())}`

async function putCompleted(recordKey: string): Promise<void> {
  const nowEpochMs = Date.now()
  const Item = toItem({
    key: recordKey,
    status: 'COMPLETED',
    token: freshKey(),
    fingerprint: 'f',
    expiresAtEpochSeconds: Math.floor(nowEpochMs / 1000) + 3600,
    completedAtEpochMs: nowEpochMs,
    result: { encoding: 'undefined' },
  })
  await db.send(new PutItemCommand({ TableName: tables.idempotency, Item }))
}

const stateOf = (recorder: ConsoleRecorder) =>
  consoleState({ client: db, tables, recorder, nowEpochMs: Date.now() })

describe('the console join of records, outcomes and gateway charges', () => {
  it('flags a key whose requests made two charges, as a gateway key derived per attempt would', async () => {
    const recorder = new ConsoleRecorder()
    const gateway = recorder.tapGateway(
      createSimulatedGateway({ client: db, ledgerTableName: tables.gatewayLedger, latencyMs: 0 }),
    )
    const recordKey = newRecordKey()
    for (let attempt = 0; attempt < 2; attempt++) {
      await recorder.during({ user: 'asha', idempotencyKey: 'order-17' }, async () => {
        recorder.onOutcome({ type: 'fresh', key: recordKey })
        await gateway.charge({ gatewayKey: freshKey(), amount: 500, currency: 'INR' })
        recorder.onOutcome({ type: 'released', key: recordKey })
      })
    }
    await putCompleted(recordKey)
    const state = await stateOf(recorder)
    const record = state.records.find((r) => r.recordKey === recordKey)
    expect(record?.charges).toHaveLength(2)
    expect(record?.outcomes).toEqual({ fresh: 2, released: 2 })
    expect(record?.sentKeys).toEqual([{ user: 'asha', idempotencyKey: 'order-17' }])
    expect(state.summary.keysWithMoreThanOneCharge).toBe(1)
  })

  it("joins a charge made under the record's derived gateway key even when no request was seen", async () => {
    const recordKey = newRecordKey()
    const gateway = createSimulatedGateway({
      client: db,
      ledgerTableName: tables.gatewayLedger,
      latencyMs: 0,
    })
    const charge = await gateway.charge({
      gatewayKey: sha256(`${recordKey}#gateway`),
      amount: 9,
      currency: 'EUR',
    })
    await putCompleted(recordKey)
    const record = (await stateOf(new ConsoleRecorder())).records.find((r) => r.recordKey === recordKey)
    expect(record).toMatchObject({ sentKeys: [], outcomes: {}, charges: [{ chargeId: charge.chargeId }] })
  })

  it('counts a charge that belongs to no record as unmatched', async () => {
    const gateway = createSimulatedGateway({
      client: db,
      ledgerTableName: tables.gatewayLedger,
      latencyMs: 0,
    })
    const before = (await stateOf(new ConsoleRecorder())).summary.unmatchedCharges
    await gateway.charge({ gatewayKey: freshKey(), amount: 3, currency: 'INR' })
    expect((await stateOf(new ConsoleRecorder())).summary.unmatchedCharges).toBe(before + 1)
  })

  it("reconciles only its store's charges when given its account: another store's are counted apart", async () => {
    const [mine, theirs] = [`dynamodb:${freshKey()}`, `postgres:${freshKey()}`]
    const gatewayFor = (account: string) =>
      createSimulatedGateway({ client: db, ledgerTableName: tables.gatewayLedger, latencyMs: 0, account })
    const state = () =>
      consoleState({
        client: db,
        tables,
        recorder: new ConsoleRecorder(),
        account: mine,
        nowEpochMs: Date.now(),
      })
    const before = (await state()).summary
    await gatewayFor(theirs).charge({ gatewayKey: freshKey(), amount: 4, currency: 'INR' })
    expect((await state()).summary).toMatchObject({
      charges: before.charges,
      unmatchedCharges: before.unmatchedCharges,
      chargesOfOtherStores: before.chargesOfOtherStores + 1,
    })
    // One of its own that no record accounts for is still what the count is for.
    await gatewayFor(mine).charge({ gatewayKey: freshKey(), amount: 5, currency: 'INR' })
    expect((await state()).summary).toMatchObject({
      charges: before.charges + 1,
      unmatchedCharges: before.unmatchedCharges + 1,
    })
  })

  it('counts outcomes from outside any HTTP request (the event flow) without a sent key', async () => {
    const recorder = new ConsoleRecorder()
    const recordKey = newRecordKey()
    recorder.onOutcome({ type: 'replay', key: recordKey })
    await putCompleted(recordKey)
    const state = await stateOf(recorder)
    expect(state.records.find((r) => r.recordKey === recordKey)).toMatchObject({
      sentKeys: [],
      outcomes: { replay: 1 },
    })
    expect(state.summary.replays).toBe(1)
  })

  it('forgets the least recently seen key once it tracks as many as its bound, and keeps the totals', () => {
    const recorder = new ConsoleRecorder({ maxTrackedKeys: 2 })
    const [a, b, c] = [newRecordKey(), newRecordKey(), newRecordKey()]
    for (const key of [a, b, a, c]) recorder.onOutcome({ type: 'conflict', key })
    expect(recorder.activityOf(a)?.outcomes).toEqual({ conflict: 2 })
    expect(recorder.activityOf(b)).toBeUndefined()
    expect(recorder.totals.conflict).toBe(4)
  })
})

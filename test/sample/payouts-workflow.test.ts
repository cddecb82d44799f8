import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { payoutWorkflow } from '../../functions/handlers/payout-workflow.js'
import { listTransfers } from '../../functions/shared/bank.js'
import type { PayoutRequest } from '../../functions/shared/payout-request.js'
import { listPayouts } from '../../functions/shared/payouts.js'
import type { DurableEnvelope } from '../../lib/durable/index.js'
import { runExecution, useLocalDurableRunner } from '../support/durable.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'
import { payoutTablesOnDynamoDBLocal, scriptedCrashes } from '../support/payouts.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()
const tables = payoutTablesOnDynamoDBLocal(dynamodb)

/** A payout to an account of its own, so the bank's ledger shows exactly this test's transfers. */
const envelope = (): DurableEnvelope<PayoutRequest> => ({
  idempotencyKey: randomUUID(),
  input: { accountId: `acct_${randomUUID().slice(0, 8)}`, amount: 250_000, currency: 'INR' },
  owner: 'owner-hash-of-asha',
})

/** The sample's durable payout on the local runner, its bank and payouts in DynamoDB Local. */
function workflow(crashes = scriptedCrashes()) {
  return payoutWorkflow({
    ...tables.dependencies(),
    store: dynamodb.store,
    settlementSeconds: 3600,
    crashes,
    logger: silent,
  })
}

/** Every transfer the bank holds for the account, and every payout recorded to it. */
async function bankAndPayoutsOf(event: DurableEnvelope<PayoutRequest>) {
  const { accountId } = event.input
  const transfers = (await listTransfers(dynamodb.client, tables.names.bankLedger)).filter(
    (transfer) => transfer.accountId === accountId,
  )
  const payouts = (await listPayouts(dynamodb.client, tables.names.payouts)).filter(
    (payout) => payout.accountId === accountId,
  )
  return { transfers, payouts }
}

describe('the payout workflow', () => {
  it('reserves, pays through the bank, waits for settlement and records the payout as paid', async () => {
    const event = envelope()
    const execution = await runExecution(workflow(), event)

    expect(execution.getStatus()).toBe('SUCCEEDED')
    const result = execution.getResult() as { payoutId: string; transferId: string }
    expect(result).toMatchObject({ status: 'paid', ...event.input })
    const { transfers, payouts } = await bankAndPayoutsOf(event)
    expect(transfers).toEqual([
      expect.objectContaining({ transferId: result.transferId, amount: 250_000, requests: 1 }),
    ])
    expect(payouts).toEqual([expect.objectContaining({ payoutId: result.payoutId, status: 'paid' })])
    // The settlement wait ended one invocation; the record step ran in the next, replaying the bank call.
    expect(execution.getInvocations().length).toBeGreaterThanOrEqual(2)
  })

  it('resumes after a crash between steps without a second bank call', async () => {
    const crashes = scriptedCrashes({ beforeRecord: 1 })

    const event = envelope()
    const execution = await runExecution(workflow(crashes), event)

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(crashes.crashed).toEqual(['before-record'])
    const { transfers, payouts } = await bankAndPayoutsOf(event)
    // The resumed invocation replayed the transfer from its checkpoint: the bank saw one call.
    expect(transfers).toEqual([expect.objectContaining({ requests: 1 })])
    expect(payouts).toEqual([expect.objectContaining({ status: 'paid' })])
  })

  it('pays out once when the invocation dies after the bank accepted the transfer, before its checkpoint', async () => {
    const crashes = scriptedCrashes({ afterBankCall: 1 })

    const event = envelope()
    const execution = await runExecution(workflow(crashes), event)

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(crashes.crashed).toEqual(['after-bank-call'])
    const { transfers, payouts } = await bankAndPayoutsOf(event)
    // The step ran again (steps run at least once) and called the bank again, with the same key: the bank
    // answered with the first transfer. A key that changed between attempts would leave two transfers here.
    expect(transfers).toEqual([expect.objectContaining({ requests: 2 })])
    expect(payouts).toEqual([
      expect.objectContaining({ status: 'paid', transferId: transfers[0]?.transferId }),
    ])
    expect(execution.getInvocations().length).toBeGreaterThanOrEqual(2)
  })

  it('runs no step of a second execution with the same key, and returns the first payout', async () => {
    const event = envelope()

    const first = await runExecution(workflow(), event)
    const second = await runExecution(workflow(), event)

    expect(second.getStatus()).toBe('SUCCEEDED')
    expect(second.getResult()).toEqual(first.getResult())
    const { transfers } = await bankAndPayoutsOf(event)
    expect(transfers).toEqual([expect.objectContaining({ requests: 1 })])
  })
})

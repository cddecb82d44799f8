import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { beforeAll } from 'vitest'
import type { CrashPoint, PayoutCrashes } from '../../functions/handlers/payout-workflow.js'
import { createSimulatedBank } from '../../functions/shared/bank.js'
import { bankLedgerTableDefinition, payoutsTableDefinition } from '../../functions/shared/tables.js'
import { createTestTable } from './dynamodb.js'

/** The payouts table and the bank's ledger, fresh for the test file, in the run's DynamoDB Local. */
export function payoutTablesOnDynamoDBLocal(dynamodb: { client: DynamoDBClient }) {
  const names = { payouts: '', bankLedger: '' }
  beforeAll(async () => {
    const { TableName: _p, ...payouts } = payoutsTableDefinition('x')
    const { TableName: _b, ...ledger } = bankLedgerTableDefinition('x')
    names.payouts = await createTestTable(dynamodb.client, payouts, 'payouts')
    names.bankLedger = await createTestTable(dynamodb.client, ledger, 'bank-ledger')
  })
  return {
    names,
    /** The client, the tables and a simulated bank on them: what the workflow needs besides its store. */
    dependencies: () => ({
      client: dynamodb.client,
      tables: { payouts: names.payouts },
      bank: createSimulatedBank({ client: dynamodb.client, ledgerTableName: names.bankLedger }),
    }),
  }
}

/** Crashes a test scripts: `{ afterBankCall: 1 }` kills the first attempt to get past the bank call. */
export function scriptedCrashes(plan: { afterBankCall?: number; beforeRecord?: number } = {}) {
  const left: Record<CrashPoint, number> = {
    'after-bank-call': plan.afterBankCall ?? 0,
    'before-record': plan.beforeRecord ?? 0,
  }
  const crashed: CrashPoint[] = []
  const crashes: PayoutCrashes & { crashed: CrashPoint[] } = {
    crashed,
    take(point) {
      if (left[point] === 0) return false
      left[point]--
      crashed.push(point)
      return true
    },
  }
  return crashes
}

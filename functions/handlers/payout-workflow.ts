import type { DurableContext } from '@aws/durable-execution-sdk-js'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import {
  type DurableEnvelope,
  type DurableStepConfig,
  makeDurableIdempotent,
} from '../../lib/durable/index.js'
import { type IdempotencyLogger, type IdempotencyStore, idempotencyOf } from '../../lib/index.js'
import type { Bank, BankError } from '../shared/bank.js'
import type { PayoutRequest } from '../shared/payout-request.js'
import { type PayoutView, payoutView, recordPaid, reservePayout } from '../shared/payouts.js'
import type { PayoutTableNames } from '../shared/tables.js'

/**
 * A day: a bank settles within one, and the idempotency claim is held as long as the execution may run. The
 * CDK stack deploys the durable function with this same `durableConfig.executionTimeout`.
 */
export const PAYOUT_EXECUTION_TIMEOUT_SECONDS = 86_400
/**
 * Fixed, not the function name (the default namespace is `${context.functionName}#${operation}`): the payout id
 * and the bank key derive from the record key, so a rename or a redeploy under another name must not change them,
 * and the record reads as this function's wherever it runs (the SDK's local runner names every function
 * `my-function-name`).
 */
export const PAYOUT_WORKFLOW_NAMESPACE = 'payouts#payout-workflow'
/** 22 base64url characters carry 132 bits: ids stay short to read and never collide in practice. */
const PAYOUT_ID_CHARACTERS = 22
/** The purposes of the ids the workflow derives with `stableKey`; the local console finds payouts by them. */
export const PAYOUT_ID_PURPOSE = 'payout'
export const BANK_KEY_PURPOSE = 'bank'
/** A payout's id: `po_` and the start of its stable key, the same on every replay of the execution. */
export const payoutIdOf = (payoutStableKey: string) => `po_${payoutStableKey.slice(0, PAYOUT_ID_CHARACTERS)}`
/** Five attempts per step: a bank or table outage of a minute or so is ridden out, a longer one fails it. */
const MAX_STEP_ATTEMPTS = 5
/** 30 s: the longest pause between two attempts of a step; the first retries come after 2 s, 4 s, 8 s. */
const MAX_RETRY_DELAY_SECONDS = 30

/**
 * Where the sample can make an invocation die, to show what a crash does: `after-bank-call`, after the bank
 * accepted the transfer and before the step's checkpoint; `before-record`, after the transfer's checkpoint.
 */
export type CrashPoint = 'after-bank-call' | 'before-record'

/** Decides, at each crash point, whether this attempt dies there; the local API and tests script it. */
export interface PayoutCrashes {
  take(point: CrashPoint): boolean
}

/** The invocation dying mid-step, as a killed Lambda would: the step has no checkpoint and runs again. */
export class SimulatedCrash extends Error {
  constructor(readonly point: CrashPoint) {
    super(`The invocation was killed (${point}); the durable execution resumes from its last checkpoint`)
    this.name = 'SimulatedCrash'
  }
}

export interface PayoutWorkflowDependencies {
  readonly client: DynamoDBDocumentClient
  readonly tables: Pick<PayoutTableNames, 'payouts'>
  readonly bank: Bank
  /** Where the execution's idempotency claim is kept (the sample's idempotency table). */
  readonly store: IdempotencyStore
  /** How long the workflow waits for the bank to settle, durably: no invocation runs meanwhile. */
  readonly settlementSeconds: number
  readonly crashes?: PayoutCrashes
  readonly logger?: IdempotencyLogger
}

/**
 * The payout, as a durable workflow under one idempotency claim per execution: reserve the funds, ask the bank
 * to transfer them with a key derived from the operation, wait for settlement, record the payout as paid. A
 * crash re-runs only the step that had not checkpointed; the bank dedupes the transfer on its key, so however
 * often a step runs, the money moves once.
 */
export function payoutWorkflow(deps: PayoutWorkflowDependencies) {
  const { client, tables, bank, crashes } = deps
  const payouts = tables.payouts
  const crashAt = (point: CrashPoint) => {
    if (crashes?.take(point)) throw new SimulatedCrash(point)
  }

  async function payout(event: DurableEnvelope<PayoutRequest>, context: DurableContext): Promise<PayoutView> {
    const handle = idempotencyOf(context)
    const owner = event.owner
    // Fail closed: without the claim nothing keeps a second execution from paying again.
    if (handle === undefined || owner === undefined)
      throw new Error('The payout workflow runs under makeDurableIdempotent, started by POST /payouts')
    const { accountId, amount, currency } = event.input
    const payoutId = payoutIdOf(handle.stableKey(PAYOUT_ID_PURPOSE))
    const bankKey = handle.stableKey(BANK_KEY_PURPOSE)

    await context.step(
      'reserve',
      async () => {
        const reservedAt = new Date().toISOString()
        const reserved = {
          payoutId,
          owner,
          status: 'reserved',
          accountId,
          amount,
          currency,
          reservedAt,
        } as const
        return payoutView(await reservePayout(client, payouts, reserved))
      },
      STEP_RETRIES,
    )
    const transfer = await context.step(
      'transfer',
      async () => {
        const accepted = await bank.transfer({ bankKey, accountId, amount, currency })
        crashAt('after-bank-call')
        return accepted
      },
      STEP_RETRIES,
    )
    // The invocation ends here; the execution resumes in a new one once the bank has settled.
    await context.wait('settlement', { seconds: deps.settlementSeconds })
    return context.step(
      'record',
      async () => {
        crashAt('before-record')
        const paidAt = new Date().toISOString()
        return payoutView(
          await recordPaid(client, payouts, payoutId, { transferId: transfer.transferId, paidAt }),
        )
      },
      STEP_RETRIES,
    )
  }

  return makeDurableIdempotent(payout, {
    store: deps.store,
    namespace: PAYOUT_WORKFLOW_NAMESPACE,
    executionTimeoutSeconds: PAYOUT_EXECUTION_TIMEOUT_SECONDS,
    ...(deps.logger && { logger: deps.logger }),
  })
}

/** A key the bank tied to another payout will not change on retry: the step fails, and the execution with it. */
const STEP_RETRIES: DurableStepConfig = {
  retryStrategy: (error, attempt) => {
    const final = error.name === 'BankError' && (error as BankError).code === 'key-reused'
    return {
      shouldRetry: !final && attempt < MAX_STEP_ATTEMPTS,
      delay: { seconds: Math.min(2 ** attempt, MAX_RETRY_DELAY_SECONDS) },
    }
  },
}

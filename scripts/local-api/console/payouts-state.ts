import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { CREATE_PAYOUT_NAMESPACE } from '../../../functions/handlers/create-payout.js'
import {
  BANK_KEY_PURPOSE,
  PAYOUT_ID_PURPOSE,
  payoutIdOf,
} from '../../../functions/handlers/payout-workflow.js'
import { listTransfers, type Transfer } from '../../../functions/shared/bank.js'
import { listPayouts, type Payout } from '../../../functions/shared/payouts.js'
import { type Item, scanAll } from '../../../functions/shared/reads.js'
import { executionNameFor } from '../../../lib/durable/index.js'
import { IDEMPOTENCY_ATTRIBUTES as A } from '../../../lib/dynamodb/schema.js'
import { stableKeyOf } from '../../../lib/invocation.js'
import { sha256 } from '../../../lib/store/index.js'
import type { ConsoleRecorder, SentKey } from './recorder.js'

export interface ConsolePayoutsSource {
  readonly tables: { readonly idempotency: string; readonly payouts: string; readonly bankLedger: string }
  /** Why payouts do not run here (Node.js older than 22); the page says so instead of listing them. */
  readonly unavailable?: string
}

export interface ConsoleTransfer {
  readonly transferId: string
  readonly amount: number
  readonly currency: string
  /** Transfer calls that reached the bank with this bank key; repeats got the first transfer back. */
  readonly bankRequests: number
}

export interface ConsolePayout {
  /** The durable execution's name, as in `Location: /operations/{id}`; undefined for a payout no record explains. */
  readonly operationId?: string
  /** The raw keys POST /payouts requests sent for the operation, from this server's memory only. */
  readonly sentKeys: readonly SentKey[]
  /**
   * `accepted`: the 202 is out, nothing reserved yet. `reserved`: funds held, the bank not yet called.
   * `settling`: the bank accepted the transfer, the workflow waits for settlement. `paid`: settled and recorded.
   */
  readonly state: 'accepted' | 'reserved' | 'settling' | 'paid'
  readonly payout?: Pick<Payout, 'payoutId' | 'accountId' | 'amount' | 'currency'>
  readonly transfers: readonly ConsoleTransfer[]
}

export type ConsolePayouts =
  | { readonly available: false; readonly reason: string }
  | {
      readonly available: true
      readonly summary: {
        readonly payouts: number
        readonly transfers: number
        /** Must be 0: one key, one transfer. */
        readonly operationsWithMoreThanOneTransfer: number
      }
      /** Oldest first: payouts are few locally, and a new one goes to the bottom as in the bank's ledger. */
      readonly rows: readonly ConsolePayout[]
    }

/**
 * POST /payouts' records joined to the workflow's: the route's record key names the execution
 * (`executionNameFor`), the execution claims that name under its own record key, and that key derives the
 * payout id and the bank key (`stableKey`). So each client key leads to its payout and its bank transfers.
 */
export async function payoutsState(deps: {
  client: DynamoDBDocumentClient
  source: ConsolePayoutsSource
  recorder: ConsoleRecorder
  /** The idempotency items already read, when they are the payouts' table's; scanned here otherwise. */
  items?: readonly Item[]
}): Promise<ConsolePayouts> {
  const { client, source, recorder } = deps
  if (source.unavailable !== undefined) return { available: false, reason: source.unavailable }
  const [items, payouts, transfers] = await Promise.all([
    deps.items ?? scanAll(client, source.tables.idempotency),
    listPayouts(client, source.tables.payouts),
    listTransfers(client, source.tables.bankLedger),
  ])
  const recordKeys = items.map((item) => item[A.key]).filter((key) => typeof key === 'string')
  const bySuffix = new Map(recordKeys.map((key) => [key.slice(key.lastIndexOf('#') + 1), key]))
  const byBankKey = new Map(transfers.map((transfer) => [transfer.bankKey, transfer]))
  const byTransferId = new Map(transfers.map((transfer) => [transfer.transferId, transfer]))
  const joined: {
    payout?: Payout
    transfers: Map<string, Transfer>
    operationId?: string
    routeKey?: string
  }[] = []
  for (const routeKey of recordKeys.filter((key) => key.startsWith(`${CREATE_PAYOUT_NAMESPACE}#`))) {
    const operationId = executionNameFor(routeKey)
    const workflowKey = bySuffix.get(sha256(operationId))
    const found: { payout?: Payout; transfers: Map<string, Transfer> } = { transfers: new Map() }
    if (workflowKey !== undefined) {
      const payoutId = payoutIdOf(stableKeyOf(workflowKey, PAYOUT_ID_PURPOSE))
      found.payout = payouts.find((p) => p.payoutId === payoutId)
      const transfer = byBankKey.get(stableKeyOf(workflowKey, BANK_KEY_PURPOSE))
      if (transfer !== undefined) found.transfers.set(transfer.transferId, transfer)
    }
    joined.push({ ...found, operationId, routeKey })
  }
  // Payouts no record explains (their records expired or were deleted) still show, without an operation.
  const explained = new Set(joined.map(({ payout }) => payout?.payoutId))
  for (const payout of payouts)
    if (!explained.has(payout.payoutId)) joined.push({ payout, transfers: new Map() })
  for (const { payout, transfers: linked } of joined) {
    const paidWith = payout?.transferId === undefined ? undefined : byTransferId.get(payout.transferId)
    if (paidWith !== undefined) linked.set(paidWith.transferId, paidWith)
  }
  // Oldest first, as the bank's ledger lists; operations not yet reserved last, as the newest.
  joined.sort((a, b) => (a.payout?.reservedAt ?? '~').localeCompare(b.payout?.reservedAt ?? '~'))
  const rows = joined.map(({ payout, transfers: linked, operationId, routeKey }): ConsolePayout => {
    const state =
      payout === undefined
        ? 'accepted'
        : payout.status === 'paid'
          ? 'paid'
          : linked.size > 0
            ? 'settling'
            : 'reserved'
    return {
      ...(operationId !== undefined && { operationId }),
      sentKeys: (routeKey && recorder.activityOf(routeKey)?.sentKeys) || [],
      state,
      ...(payout && {
        payout: {
          payoutId: payout.payoutId,
          accountId: payout.accountId,
          amount: payout.amount,
          currency: payout.currency,
        },
      }),
      transfers: [...linked.values()].map((transfer) => ({
        transferId: transfer.transferId,
        amount: transfer.amount,
        currency: transfer.currency,
        bankRequests: transfer.requests,
      })),
    }
  })
  return {
    available: true,
    summary: {
      payouts: payouts.length,
      transfers: transfers.length,
      operationsWithMoreThanOneTransfer: rows.filter((row) => row.transfers.length > 1).length,
    },
    rows,
  }
}

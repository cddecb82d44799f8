import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { DAILY_TOTALS_JOB } from '../../../functions/shared/daily-totals-schema.js'
import { type Charge, listCharges } from '../../../functions/shared/gateway.js'
import { type Item, scanAll } from '../../../functions/shared/reads.js'
import { IDEMPOTENCY_ATTRIBUTES as A } from '../../../lib/dynamodb/schema.js'
import { jobKeyOf } from '../../../lib/pipelines/index.js'
import { sha256 } from '../../../lib/store/index.js'
import { type ConsolePayouts, type ConsolePayoutsSource, payoutsState } from './payouts-state.js'
import type { ConsoleRecorder, OutcomeCounts, SentKey } from './recorder.js'

/**
 * 200 rows: a page a developer can read, and a cheap render each second. The summary still counts every record;
 * the rows are the most recently active ones.
 */
const MAX_RECORDS_SHOWN = 200
/** create-payment's purpose for its gateway key: `idempotencyOf(context).stableKey('gateway')`. */
const GATEWAY_KEY_PURPOSE = 'gateway'

export interface ConsoleCharge {
  readonly chargeId: string
  readonly gatewayKey: string
  readonly amount: number
  readonly currency: string
  readonly status: Charge['status']
  /** Charge calls that reached the gateway with this gateway key; repeats got the first charge back. */
  readonly gatewayCalls: number
}

export interface ConsoleRecord {
  /** As stored: `${namespace}#${sha256(scope)}`, never the raw key. */
  readonly recordKey: string
  /**
   * `expired` is not stored: the record's retention has ended, whatever `storedStatus` says. `other`: an item
   * of the event helpers (an entity version, a watermark), which has no status.
   */
  readonly state: 'IN_PROGRESS' | 'COMPLETED' | 'expired' | 'other'
  readonly storedStatus: string
  /** IN_PROGRESS only: until the lease ends; 0 or less once a retry may take the key over. */
  readonly leaseRemainingMs?: number
  readonly expiresAtEpochSeconds?: number
  readonly completedAtEpochMs?: number
  /** The raw keys requests sent for this record, from this server's memory only. */
  readonly sentKeys: readonly SentKey[]
  /** Outcomes this server saw for the key since it started. */
  readonly outcomes: OutcomeCounts
  readonly charges: readonly ConsoleCharge[]
}

export interface ConsoleSummary {
  readonly keys: number
  /** The charges of the store in use (every charge when the console is given no store account). */
  readonly charges: number
  /** Must be 0: one key, one charge. */
  readonly keysWithMoreThanOneCharge: number
  /** Charges of the store in use no record accounts for (a record deleted, or a gateway key not derived from one). */
  readonly unmatchedCharges: number
  /**
   * Charges the ledger holds for other stores (DynamoDB before a switch to `--postgres`, a throwaway PostgreSQL
   * before a restart), whose records are not the ones read here: counted, never reconciled.
   */
  readonly chargesOfOtherStores: number
  readonly replays: number
  readonly conflicts: number
  readonly mismatches: number
  readonly recordsNotShown: number
}

/** Every idempotency record, shaped as the DynamoDB items the console reads (plain values, as lib-dynamodb reads them). */
export type RecordSource = () => Promise<Item[]>

export interface ConsoleState {
  readonly nowEpochMs: number
  readonly tables: { readonly idempotency: string; readonly gatewayLedger: string }
  readonly summary: ConsoleSummary
  readonly records: readonly ConsoleRecord[]
  /** Absent when the API has no payouts to show. */
  readonly payouts?: ConsolePayouts
}

/**
 * The idempotency table and the gateway's ledger, joined: each record's charge is found under the gateway key
 * create-payment derives from the record key (sha256 of `${recordKey}#gateway`, as `stableKey` does), plus any
 * charge this server saw a request holding the key receive. Only the charges of the store in use (`account`) are
 * reconciled: the ledger outlives a switch of store or a throwaway PostgreSQL. Two scans: for the local API only.
 */
export async function consoleState(deps: {
  client: DynamoDBDocumentClient
  tables: ConsoleState['tables']
  recorder: ConsoleRecorder
  /** Reads the records as DynamoDB items from elsewhere (PostgreSQL mode); the idempotency table when absent. */
  records?: RecordSource
  /**
   * The gateway account of the store the records come from: only its charges are reconciled with them. Every
   * charge is, when absent.
   */
  account?: string
  payouts?: ConsolePayoutsSource
  nowEpochMs: number
}): Promise<ConsoleState> {
  const { client, tables, recorder, nowEpochMs } = deps
  const [items, ledger] = await Promise.all([
    deps.records?.() ?? scanAll(client, tables.idempotency),
    listCharges(client, tables.gatewayLedger),
  ])
  // In PostgreSQL mode the payouts' records are still in DynamoDB: payoutsState reads them there.
  const payouts =
    deps.payouts &&
    (await payoutsState({ client, recorder, source: deps.payouts, ...(!deps.records && { items }) }))
  // Joined against the whole ledger: a key both stores used shows the charge the gateway answered it with.
  const own = deps.account === undefined ? ledger : ledger.filter((charge) => charge.account === deps.account)
  const byGatewayKey = new Map(ledger.map((charge) => [charge.gatewayKey, charge]))
  const byChargeId = new Map(ledger.map((charge) => [charge.chargeId, charge]))
  const matched = new Set<string>()
  const rows: { record: ConsoleRecord; activeEpochMs: number }[] = []
  for (const item of items) {
    const recordKey = item[A.key]
    if (typeof recordKey !== 'string') continue
    // The daily totals job's runs share the table on DynamoDB; they are no client's key, and charge nothing.
    if (recordKey.startsWith(jobKeyOf(DAILY_TOTALS_JOB, ''))) continue
    const activity = recorder.activityOf(recordKey)
    const charges = new Map<string, Charge>()
    const derived = byGatewayKey.get(sha256(`${recordKey}#${GATEWAY_KEY_PURPOSE}`))
    if (derived !== undefined) charges.set(derived.chargeId, derived)
    for (const chargeId of activity?.chargeIds ?? []) {
      const charge = byChargeId.get(chargeId)
      if (charge !== undefined) charges.set(chargeId, charge)
    }
    for (const chargeId of charges.keys()) matched.add(chargeId)
    const record: ConsoleRecord = {
      recordKey,
      ...stateOf(item, nowEpochMs),
      sentKeys: activity?.sentKeys ?? [],
      outcomes: activity?.outcomes ?? {},
      charges: [...charges.values()].map(consoleCharge),
    }
    const activeEpochMs = Math.max(
      activity?.lastSeenEpochMs ?? 0,
      record.completedAtEpochMs ?? 0,
      record.state === 'IN_PROGRESS' ? nowEpochMs : 0,
    )
    rows.push({ record, activeEpochMs })
  }
  rows.sort(
    (a, b) => b.activeEpochMs - a.activeEpochMs || a.record.recordKey.localeCompare(b.record.recordKey),
  )
  const { totals } = recorder
  return {
    nowEpochMs,
    tables,
    summary: {
      keys: rows.length,
      charges: own.length,
      keysWithMoreThanOneCharge: rows.filter(({ record }) => record.charges.length > 1).length,
      unmatchedCharges: own.filter((charge) => !matched.has(charge.chargeId)).length,
      chargesOfOtherStores: ledger.length - own.length,
      replays: totals.replay,
      conflicts: totals.conflict,
      mismatches: totals.mismatch,
      recordsNotShown: Math.max(0, rows.length - MAX_RECORDS_SHOWN),
    },
    records: rows.slice(0, MAX_RECORDS_SHOWN).map(({ record }) => record),
    ...(payouts && { payouts }),
  }
}

/** Read leniently: an item the console cannot place is shown as stored, never a reason to fail the page. */
function stateOf(item: Item, nowEpochMs: number) {
  const status = item[A.status]
  const storedStatus = typeof status === 'string' ? status : '(none)'
  const expiresAtEpochSeconds = numberIn(item, A.expiresAt)
  const completedAtEpochMs = numberIn(item, A.completedAt)
  const leaseUntilEpochMs = numberIn(item, A.leaseUntil)
  const expired =
    expiresAtEpochSeconds !== undefined && expiresAtEpochSeconds <= Math.floor(nowEpochMs / 1000)
  const known = storedStatus === 'IN_PROGRESS' || storedStatus === 'COMPLETED'
  const state: ConsoleRecord['state'] = expired ? 'expired' : known ? storedStatus : 'other'
  return {
    state,
    storedStatus,
    ...(state === 'IN_PROGRESS' &&
      leaseUntilEpochMs !== undefined && { leaseRemainingMs: leaseUntilEpochMs - nowEpochMs }),
    ...(expiresAtEpochSeconds !== undefined && { expiresAtEpochSeconds }),
    ...(completedAtEpochMs !== undefined && { completedAtEpochMs }),
  }
}

function numberIn(item: Item, name: string): number | undefined {
  const value = item[name]
  return typeof value === 'number' ? value : undefined
}

function consoleCharge(charge: Charge): ConsoleCharge {
  const { chargeId, gatewayKey, amount, currency, status, requests } = charge
  return { chargeId, gatewayKey, amount, currency, status, gatewayCalls: requests }
}

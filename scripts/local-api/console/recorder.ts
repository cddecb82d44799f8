import { AsyncLocalStorage } from 'node:async_hooks'
import type { PaymentGateway } from '../../../functions/shared/gateway.js'
import { type IdempotencyOutcome, type IdempotencyOutcomeType, OUTCOME_LEVELS } from '../../../lib/index.js'

/** The `Idempotency-Key` header one caller sent to the local server, as sent. Kept in memory, never stored. */
export interface SentKey {
  /** The bearer token, which the local API takes as the user id. */
  readonly user: string
  readonly idempotencyKey: string
}

export type OutcomeCounts = Partial<Record<IdempotencyOutcomeType, number>>

/** What this server saw happen to one record key. */
export interface KeyActivity {
  readonly outcomes: OutcomeCounts
  readonly sentKeys: SentKey[]
  /** Charges the gateway answered to requests that held this key, whatever gateway key they used. */
  readonly chargeIds: Set<string>
  lastSeenEpochMs: number
}

interface RequestScope {
  readonly sent?: SentKey
  readonly recordKeys: Set<string>
  readonly chargeIds: Set<string>
}

/**
 * 10,000 keys: far more than a developer watches, few enough to stay small in memory when a local load test
 * (scripts/load-test.ts) runs against the API for hours. The least recently seen keys are forgotten first.
 */
const DEFAULT_MAX_TRACKED_KEYS = 10_000
/** The raw forms of one key that parse alike (`k`, `"k"`, with spaces): a handful is all a reader needs. */
const MAX_SENT_KEYS_PER_RECORD = 8

/**
 * The console's in-process tap on the local API: every outcome the handlers report through `onOutcome`, every
 * charge the gateway answers, and the `Idempotency-Key` each request carried, tied together by the request they
 * happened in (an AsyncLocalStorage scope the server opens around each invocation). The store never sees the raw
 * key; only this memory does, and only for requests this process served.
 */
export class ConsoleRecorder {
  /** Every outcome since the server started, forgotten keys included. */
  readonly totals = Object.fromEntries(Object.keys(OUTCOME_LEVELS).map((type) => [type, 0])) as Record<
    IdempotencyOutcomeType,
    number
  >
  private readonly scope = new AsyncLocalStorage<RequestScope>()
  private readonly keys = new Map<string, KeyActivity>()
  private readonly maxTrackedKeys: number
  private readonly now: () => number

  constructor(options: { maxTrackedKeys?: number; now?: () => number } = {}) {
    this.maxTrackedKeys = options.maxTrackedKeys ?? DEFAULT_MAX_TRACKED_KEYS
    this.now = options.now ?? Date.now
  }

  /** Runs one invocation so that what it reports is tied to the key its request sent (if any). */
  during<T>(sent: SentKey | undefined, run: () => Promise<T>): Promise<T> {
    return this.scope.run({ sent, recordKeys: new Set(), chargeIds: new Set() }, run)
  }

  /** The handlers' `onOutcome`: never throws, as a hook must not break a request. */
  readonly onOutcome = (outcome: IdempotencyOutcome): void => {
    this.totals[outcome.type]++
    const activity = this.touch(outcome.key)
    activity.outcomes[outcome.type] = (activity.outcomes[outcome.type] ?? 0) + 1
    const request = this.scope.getStore()
    if (request === undefined) return
    request.recordKeys.add(outcome.key)
    for (const chargeId of request.chargeIds) activity.chargeIds.add(chargeId)
    const { sent } = request
    if (sent === undefined || activity.sentKeys.length >= MAX_SENT_KEYS_PER_RECORD) return
    if (!activity.sentKeys.some((s) => s.user === sent.user && s.idempotencyKey === sent.idempotencyKey))
      activity.sentKeys.push(sent)
  }

  /**
   * The gateway, noting each charge it answers against the keys the calling request holds: a handler that
   * charged under a gateway key not derived from its record (a random one per attempt, say) still shows up as
   * one record key with two charges.
   */
  tapGateway(gateway: PaymentGateway): PaymentGateway {
    return {
      charge: async (request) => {
        const charge = await gateway.charge(request)
        const scope = this.scope.getStore()
        scope?.chargeIds.add(charge.chargeId)
        for (const recordKey of scope?.recordKeys ?? []) this.touch(recordKey).chargeIds.add(charge.chargeId)
        return charge
      },
    }
  }

  activityOf(recordKey: string): KeyActivity | undefined {
    return this.keys.get(recordKey)
  }

  private touch(recordKey: string): KeyActivity {
    const activity = this.keys.get(recordKey) ?? {
      outcomes: {},
      sentKeys: [],
      chargeIds: new Set<string>(),
      lastSeenEpochMs: 0,
    }
    activity.lastSeenEpochMs = this.now()
    // Re-inserted, so the map's order runs from least to most recently seen.
    this.keys.delete(recordKey)
    this.keys.set(recordKey, activity)
    while (this.keys.size > this.maxTrackedKeys) this.keys.delete(this.keys.keys().next().value as string)
    return activity
  }
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { IdempotencyLeaseLostError, isIdempotencyError } from '../errors.js'
import { collectedItems } from '../store/collected-writes.js'
import {
  type ClaimResult,
  type VersionClaim,
  type VersionState,
  type VersionStore,
  versionCompleted,
} from '../store/version-store.js'
import { batchGetItems, type FencedOutcome, sendFencedCompletion } from './calls.js'
import { conditionalUpdate, resolveTable, sendClaim, sendRelease } from './event-table.js'
import type { Item } from './item.js'
import { type DynamoDBOwnWrites, dynamoDBOwnWrites } from './own-writes.js'
import { IDEMPOTENCY_ATTRIBUTES as A, EVENT_STATE_ATTRIBUTES as E } from './schema.js'
import type { DynamoDBStoreOptions } from './store.js'

const NAMES = {
  '#token': A.token,
  '#leaseUntil': A.leaseUntil,
  '#version': E.version,
  '#claimedVersion': E.claimedVersion,
}

// `decideVersion` as a condition: newer than the completed version, and no live claim but the caller's own.
const NEWER = '(attribute_not_exists(#version) OR #version < :version)'
const UNCLAIMED = '(attribute_not_exists(#leaseUntil) OR #leaseUntil <= :nowMs OR #token = :token)'
const DROP_CLAIM = 'REMOVE #claimedVersion, #token, #leaseUntil'
/** A completion keeps its token, as the record of who completed the version (`completedBy`). */
const END_CLAIM = 'REMOVE #claimedVersion, #leaseUntil'
const HOLDS_CLAIM = '#token = :token AND attribute_exists(#claimedVersion)'

/** Entity versions on the idempotency table: one UpdateItem per transition, each conditioned and fenced. */
export class DynamoDBVersionStore implements VersionStore<DynamoDBOwnWrites> {
  readonly tableName: string
  private readonly client: DynamoDBClient

  constructor(options: DynamoDBStoreOptions = {}) {
    ;({ tableName: this.tableName, client: this.client } = resolveTable(options))
  }

  async claim(request: VersionClaim, nowEpochMs: number): Promise<ClaimResult> {
    const update = conditionalUpdate(this.tableName, NAMES, {
      key: request.key,
      expression: 'SET #claimedVersion = :version, #token = :token, #leaseUntil = :leaseUntil',
      condition: `${NEWER} AND ${UNCLAIMED}`,
      values: {
        ':version': { N: request.version.toString() },
        ':token': { S: request.token },
        ':leaseUntil': { N: String(request.leaseUntilEpochMs) },
        ':nowMs': { N: String(nowEpochMs) },
      },
    })
    const sent = await sendClaim(this.client, update, 'version')
    return sent.claimed ? { claimed: true } : { claimed: false, existing: stateFrom(sent.item) }
  }

  /** The handler's own writes: TransactWriteItems sent in one transaction with the new version. */
  openOwnWrites(): DynamoDBOwnWrites {
    return dynamoDBOwnWrites()
  }

  async complete(claim: VersionClaim, ownWrites?: DynamoDBOwnWrites): Promise<void> {
    const update = conditionalUpdate(this.tableName, NAMES, {
      key: claim.key,
      expression: `SET #version = :version ${END_CLAIM}`,
      condition: HOLDS_CLAIM,
      values: { ':version': { N: claim.version.toString() }, ':token': { S: claim.token } },
    })
    let outcome: FencedOutcome
    try {
      outcome = await sendFencedCompletion(this.client, update, collectedItems(ownWrites))
    } catch (error) {
      // An answer lost in transit: the version read back tells whether the completion landed.
      if (!isIdempotencyError(error) || error.code !== 'store-unavailable') throw error
      if (versionCompleted(await this.stateOf(claim.key), claim)) return
      throw error
    }
    // Refused, so nothing was applied: done if the version is already where this completion would put it.
    if (!outcome.written && !versionCompleted(outcome.refusedBy && stateFrom(outcome.refusedBy), claim))
      throw new IdempotencyLeaseLostError('complete')
  }

  private async stateOf(key: string): Promise<VersionState | undefined> {
    return (await this.getMany([key]).catch(() => undefined))?.get(key)
  }

  async release(claim: VersionClaim): Promise<void> {
    const update = conditionalUpdate(this.tableName, NAMES, {
      key: claim.key,
      expression: DROP_CLAIM,
      condition: HOLDS_CLAIM,
      values: { ':token': { S: claim.token } },
    })
    await sendRelease(this.client, update, 'version', (item) => item[E.claimedVersion] !== undefined)
  }

  async getMany(keys: readonly string[]): Promise<Map<string, VersionState>> {
    const items = await batchGetItems(this.client, this.tableName, keys)
    return new Map(items.map((item) => stateFrom(item)).map((state) => [state.key, state]))
  }
}

function stateFrom(item: Item): VersionState {
  const key = item[A.key]?.S
  if (key === undefined) throw new Error(`Version item lacks string attribute ${A.key}`)
  const version = item[E.version]?.N
  const claimed = item[E.claimedVersion]?.N
  const token = item[A.token]?.S
  const leaseUntil = item[A.leaseUntil]?.N
  const held = claimed !== undefined && token !== undefined && leaseUntil !== undefined
  return {
    key,
    ...(version !== undefined && { version: BigInt(version) }),
    ...(held && { claim: { version: BigInt(claimed), token, leaseUntilEpochMs: Number(leaseUntil) } }),
    ...(!held && token !== undefined && { completedBy: token }),
  }
}

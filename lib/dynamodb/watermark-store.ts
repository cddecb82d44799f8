import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { IdempotencyLeaseLostError } from '../errors.js'
import {
  advanceLanded,
  type WatermarkClaim,
  type WatermarkLease,
  type WatermarkState,
  type WatermarkStore,
} from '../store/watermark-store.js'
import { batchGetItems, isConditionalFailure, refusedItem } from './calls.js'
import { dynamoDBError } from './errors.js'
import { conditionalUpdate, resolveTable, sendClaim, sendRelease } from './event-table.js'
import type { Item } from './item.js'
import { IDEMPOTENCY_ATTRIBUTES as A, EVENT_STATE_ATTRIBUTES as E } from './schema.js'
import type { DynamoDBStoreOptions } from './store.js'

const NAMES = { '#token': A.token, '#leaseUntil': A.leaseUntil, '#watermark': E.watermark }

// `decideWatermark` as a condition: no live lease but the caller's own.
const UNLEASED = 'attribute_not_exists(#leaseUntil) OR #leaseUntil <= :nowMs OR #token = :token'
const HOLDS_LEASE = '#token = :token AND attribute_exists(#leaseUntil)'
const DROP_LEASE = 'REMOVE #token, #leaseUntil'
/** The last advance keeps its token, as the record of which run ended the lease (`completedBy`). */
const END_LEASE = 'REMOVE #leaseUntil'

/** Job watermarks on the idempotency table: one UpdateItem per transition, fenced by the run's token. */
export class DynamoDBWatermarkStore implements WatermarkStore {
  readonly tableName: string
  private readonly client: DynamoDBClient

  constructor(options: DynamoDBStoreOptions = {}) {
    ;({ tableName: this.tableName, client: this.client } = resolveTable(options))
  }

  async claim(lease: WatermarkLease, nowEpochMs: number): Promise<WatermarkClaim> {
    const update = conditionalUpdate(this.tableName, NAMES, {
      key: lease.key,
      expression: 'SET #token = :token, #leaseUntil = :leaseUntil',
      condition: UNLEASED,
      values: {
        ':token': { S: lease.token },
        ':leaseUntil': { N: String(lease.leaseUntilEpochMs) },
        ':nowMs': { N: String(nowEpochMs) },
      },
    })
    const sent = await sendClaim(this.client, update, 'watermark')
    return sent.claimed
      ? { claimed: true, watermark: sent.item?.[E.watermark]?.S }
      : { claimed: false, existing: stateFrom(sent.item) }
  }

  async advance(
    lease: WatermarkLease,
    from: string | undefined,
    to: string,
    release: boolean,
  ): Promise<void> {
    const values: Item = { ':token': { S: lease.token }, ':to': { S: to } }
    if (from !== undefined) values[':from'] = { S: from }
    if (!release) values[':leaseUntil'] = { N: String(lease.leaseUntilEpochMs) }
    const update = conditionalUpdate(this.tableName, NAMES, {
      key: lease.key,
      expression: release
        ? `SET #watermark = :to ${END_LEASE}`
        : 'SET #watermark = :to, #leaseUntil = :leaseUntil',
      condition: `${HOLDS_LEASE} AND ${from === undefined ? 'attribute_not_exists(#watermark)' : '#watermark = :from'}`,
      values,
    })
    try {
      await this.client.send(new UpdateItemCommand(update))
    } catch (error) {
      // Refused, or its answer lost in transit: the item tells whether this advance landed before.
      const item = isConditionalFailure(error) ? refusedItem(error) : await this.itemOf(lease.key)
      if (advanceLanded(item && stateFrom(item), lease, to, release)) return
      if (isConditionalFailure(error)) throw new IdempotencyLeaseLostError('complete')
      throw dynamoDBError('advance watermark', error, this.tableName)
    }
  }

  private async itemOf(key: string): Promise<Item | undefined> {
    const items = await batchGetItems(this.client, this.tableName, [key]).catch(() => [])
    return items[0]
  }

  async release(lease: WatermarkLease): Promise<void> {
    const update = conditionalUpdate(this.tableName, NAMES, {
      key: lease.key,
      expression: DROP_LEASE,
      condition: HOLDS_LEASE,
      values: { ':token': { S: lease.token } },
    })
    await sendRelease(this.client, update, 'watermark', (item) => item[A.leaseUntil] !== undefined)
  }
}

function stateFrom(item: Item): WatermarkState {
  const key = item[A.key]?.S
  if (key === undefined) throw new Error(`Watermark item lacks string attribute ${A.key}`)
  const watermark = item[E.watermark]?.S
  const token = item[A.token]?.S
  const leaseUntil = item[A.leaseUntil]?.N
  return {
    key,
    ...(watermark !== undefined && { watermark }),
    ...(token !== undefined &&
      (leaseUntil === undefined
        ? { completedBy: token }
        : { lease: { token, leaseUntilEpochMs: Number(leaseUntil) } })),
  }
}

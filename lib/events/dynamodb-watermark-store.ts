import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { isConditionalFailure } from '../dynamodb-calls.js'
import type { Item } from '../dynamodb-item.js'
import type { DynamoDBStoreOptions } from '../dynamodb-store.js'
import { IdempotencyLeaseLostError, IdempotencyStoreUnavailableError } from '../errors.js'
import { IDEMPOTENCY_ATTRIBUTES as A, EVENT_STATE_ATTRIBUTES as E } from '../schema.js'
import { conditionalUpdate, resolveTable, sendClaim, sendRelease } from './dynamodb-table.js'
import type { WatermarkClaim, WatermarkLease, WatermarkState, WatermarkStore } from './watermark-store.js'

const NAMES = { '#token': A.token, '#leaseUntil': A.leaseUntil, '#watermark': E.watermark }

// `decideWatermark` as a condition: no live lease but the caller's own.
const UNLEASED = 'attribute_not_exists(#leaseUntil) OR #leaseUntil <= :nowMs OR #token = :token'
const HOLDS_TOKEN = '#token = :token'
const DROP_LEASE = 'REMOVE #token, #leaseUntil'

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
        ? `SET #watermark = :to ${DROP_LEASE}`
        : 'SET #watermark = :to, #leaseUntil = :leaseUntil',
      condition: `${HOLDS_TOKEN} AND ${from === undefined ? 'attribute_not_exists(#watermark)' : '#watermark = :from'}`,
      values,
    })
    try {
      await this.client.send(new UpdateItemCommand(update))
    } catch (error) {
      if (isConditionalFailure(error)) throw new IdempotencyLeaseLostError('complete')
      throw new IdempotencyStoreUnavailableError('advance watermark', error)
    }
  }

  async release(lease: WatermarkLease): Promise<void> {
    const update = conditionalUpdate(this.tableName, NAMES, {
      key: lease.key,
      expression: DROP_LEASE,
      condition: HOLDS_TOKEN,
      values: { ':token': { S: lease.token } },
    })
    await sendRelease(this.client, update, 'watermark')
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
      leaseUntil !== undefined && { lease: { token, leaseUntilEpochMs: Number(leaseUntil) } }),
  }
}

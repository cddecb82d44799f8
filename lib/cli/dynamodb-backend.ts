import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb'
import { isConditionalFailure, refusedItem } from '../dynamodb/calls.js'
import type { Item } from '../dynamodb/item.js'
import { IDEMPOTENCY_ATTRIBUTES as A } from '../dynamodb/schema.js'
import { DynamoDBStore } from '../dynamodb/store.js'
import type { IdempotencyRecord } from '../record.js'
import type { DeleteFence, RecordBackend, ScannedItem, ScanRequest } from './backend.js'
import type { Where } from './errors.js'

/** Only what `stats` counts: the stored results (up to 350 KB each) never cross the wire. */
const SUMMARY = [A.key, A.status, A.expiresAt, A.leaseUntil, A.completedAt]
const SUMMARY_NAMES = Object.fromEntries(SUMMARY.map((name) => [`#${name}`, name]))

/** DynamoDB Local accepts any credentials and region, but the SDK insists on having some. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' }
const LOCAL_REGION = 'local'

export function dynamoDBBackend(
  where: Where,
  env: Readonly<Record<string, string | undefined>>,
): RecordBackend {
  const client = clientFor(where, env)
  const store = new DynamoDBStore({ tableName: where.table, client })
  const { table } = where

  async function deleteFenced(record: IdempotencyRecord, fence: DeleteFence) {
    // Every attribute that tells one write from another, not only the token: a durable execution's token is the
    // same on each of its claims, so a fresh claim or completion by it after the read differs only in its times.
    const shown: [string, AttributeValue][] = [
      [A.token, { S: record.token }],
      [A.status, { S: record.status }],
      [A.fingerprint, { S: record.fingerprint }],
      [A.expiresAt, { N: String(record.expiresAtEpochSeconds) }],
      record.status === 'IN_PROGRESS'
        ? [A.leaseUntil, { N: String(record.leaseUntilEpochMs) }]
        : [A.completedAt, { N: String(record.completedAtEpochMs) }],
    ]
    const names: Record<string, string> = {}
    const values: Item = {}
    const conditions = shown.map(([name, value], i) => {
      names[`#a${i}`] = name
      values[`:v${i}`] = value
      return `#a${i} = :v${i}`
    })
    if (fence.leaseEndedBy !== undefined && record.status === 'IN_PROGRESS') {
      conditions.push('#leaseUntil <= :nowMs')
      names['#leaseUntil'] = A.leaseUntil
      values[':nowMs'] = { N: String(fence.leaseEndedBy) }
    }
    const condition = conditions.join(' AND ')
    const command = new DeleteItemCommand({
      TableName: table,
      Key: { [A.key]: { S: record.key } },
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })
    try {
      await client.send(command)
      return 'deleted' as const
    } catch (error) {
      if (!isConditionalFailure(error)) throw error
      return refusedItem(error) === undefined ? ('gone' as const) : ('changed' as const)
    }
  }

  async function scanSegment(request: ScanRequest, segment: number, onPage: (items: ScannedItem[]) => void) {
    let startKey: Record<string, AttributeValue> | undefined
    let read = 0
    do {
      const left = request.maxItems === undefined ? undefined : request.maxItems - read
      const limit = left === undefined ? request.pageSize : Math.min(left, request.pageSize ?? left)
      const page = await client.send(
        new ScanCommand({
          TableName: table,
          ProjectionExpression: Object.keys(SUMMARY_NAMES).join(', '),
          ExpressionAttributeNames: SUMMARY_NAMES,
          Limit: limit,
          ExclusiveStartKey: startKey,
          ...(request.segments && request.segments > 1
            ? { Segment: segment, TotalSegments: request.segments }
            : {}),
        }),
      )
      const items = (page.Items ?? []).map(summaryOf)
      read += items.length
      onPage(items)
      startKey = page.LastEvaluatedKey
    } while (startKey !== undefined && (request.maxItems === undefined || read < request.maxItems))
  }

  return {
    description: `DynamoDB table ${table}${where.endpoint ? ` at ${where.endpoint}` : ''}`,
    sampleOrder: 'the first items in key-hash order, unrelated to age',
    parallelScan: true,
    read: (recordKey) => store.get(recordKey),
    deleteFenced,
    async scan(request, onPage) {
      const segments = request.maxItems === undefined ? Math.max(1, request.segments ?? 1) : 1
      await Promise.all(
        Array.from({ length: segments }, (_, segment) => scanSegment(request, segment, onPage)),
      )
    },
    async approximateItemCount() {
      try {
        const { Table: description } = await client.send(new DescribeTableCommand({ TableName: table }))
        return description?.ItemCount
      } catch (error) {
        // The count only sizes the progress bar: a role without DescribeTable still gets its stats.
        if ((error as Error).name === 'AccessDeniedException') return undefined
        throw error
      }
    },
    async close() {
      client.destroy()
    },
  }
}

function summaryOf(item: Item): ScannedItem {
  const key = item[A.key]?.S ?? ''
  const status = item[A.status]?.S
  const expiresAt = item[A.expiresAt]?.N
  if ((status !== 'IN_PROGRESS' && status !== 'COMPLETED') || expiresAt === undefined)
    return { kind: 'other', key }
  const leaseUntil = item[A.leaseUntil]?.N
  const completedAt = item[A.completedAt]?.N
  return {
    kind: 'record',
    key,
    status,
    expiresAtEpochSeconds: Number(expiresAt),
    ...(leaseUntil === undefined ? {} : { leaseUntilEpochMs: Number(leaseUntil) }),
    ...(completedAt === undefined ? {} : { completedAtEpochMs: Number(completedAt) }),
  }
}

/**
 * A loopback endpoint is DynamoDB Local: it gets a placeholder region and credentials unless real ones are
 * set. Any other endpoint, and no endpoint, use the SDK's usual chain (environment, profile, SSO, metadata).
 */
function clientFor(where: Where, env: Readonly<Record<string, string | undefined>>): DynamoDBClient {
  const local = where.endpoint !== undefined && isLoopback(where.endpoint)
  return new DynamoDBClient({
    endpoint: where.endpoint,
    region: where.region ?? (local ? LOCAL_REGION : undefined),
    credentials: local && !env.AWS_ACCESS_KEY_ID ? LOCAL_CREDENTIALS : undefined,
  })
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.') || host === '0.0.0.0'
  } catch {
    return false
  }
}

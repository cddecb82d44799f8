import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { fromItem, type Item, toItem } from './dynamodb-item.js'
import { IdempotencyLeaseLostError, IdempotencyStoreUnavailableError } from './errors.js'
import {
  type CompletedRecord,
  type IdempotencyRecord,
  type InProgressRecord,
  toEpochSeconds,
} from './record.js'
import { IDEMPOTENCY_ATTRIBUTES as A, IDEMPOTENCY_TABLE_ENV } from './schema.js'
import type { AcquireResult, IdempotencyStore } from './store.js'

export interface DynamoDBStoreOptions {
  /** @default process.env.IDEMPOTENCY_TABLE_NAME (set by the CDK construct's grant) */
  readonly tableName?: string
  /** @default a DynamoDBClient for the Lambda's region, or `DYNAMODB_ENDPOINT` when set (DynamoDB Local) */
  readonly client?: DynamoDBClient
}

// Timeline of a key: absent → IN_PROGRESS (lease) → COMPLETED → expired (TTL deletes it some time later).
// An attempt may claim the key while nobody holds it: never written, past retention, or abandoned mid-lease by
// an attempt with the same payload (a different payload is a mismatch, never a takeover). Mirrors `decide`.
const KEY_ABSENT = 'attribute_not_exists(#key)'
const RETENTION_OVER = '#expiresAt <= :nowSeconds'
const LEASE_ABANDONED = '(#status = :inProgress AND #leaseUntil <= :nowMs AND #fingerprint = :fingerprint)'
const ACQUIRE_CONDITION = `${KEY_ABSENT} OR ${RETENTION_OVER} OR ${LEASE_ABANDONED}`
/** Fencing: only the attempt whose token is stored may complete or release the record. */
const HOLDS_TOKEN = '#token = :token'

/** DynamoDB's own cap on keys per BatchGetItem. */
const BATCH_GET_MAX_KEYS = 100

/** The store on DynamoDB: one conditional write per transition, each returning the refusing item (ALL_OLD). */
export class DynamoDBStore implements IdempotencyStore {
  readonly tableName: string
  private readonly client: DynamoDBClient

  constructor(options: DynamoDBStoreOptions = {}) {
    const tableName = options.tableName ?? process.env[IDEMPOTENCY_TABLE_ENV]
    if (!tableName)
      throw new Error(`DynamoDBStore needs a tableName or the ${IDEMPOTENCY_TABLE_ENV} variable`)
    this.tableName = tableName
    this.client =
      options.client ?? new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT || undefined })
  }

  async acquire(record: InProgressRecord, nowEpochMs: number): Promise<AcquireResult> {
    const command = new PutItemCommand({
      TableName: this.tableName,
      Item: toItem(record),
      ConditionExpression: ACQUIRE_CONDITION,
      ExpressionAttributeNames: names('key', 'expiresAt', 'status', 'leaseUntil', 'fingerprint'),
      ExpressionAttributeValues: {
        ':nowSeconds': { N: String(toEpochSeconds(nowEpochMs)) },
        ':nowMs': { N: String(nowEpochMs) },
        ':inProgress': { S: 'IN_PROGRESS' },
        ':fingerprint': { S: record.fingerprint },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })
    try {
      await this.client.send(command)
      return { acquired: true }
    } catch (error) {
      const existing = refusedItem(error)
      if (existing === undefined) throw new IdempotencyStoreUnavailableError('acquire', error)
      return { acquired: false, existing: fromItem(existing) }
    }
  }

  async complete(record: CompletedRecord, extraWrites: readonly TransactWriteItem[] = []): Promise<void> {
    await sendFencedCompletion(this.client, this.completionUpdate(record), extraWrites)
  }

  async release(key: string, token: string): Promise<void> {
    const command = new DeleteItemCommand({
      TableName: this.tableName,
      Key: { [A.key]: { S: key } },
      ConditionExpression: HOLDS_TOKEN,
      ExpressionAttributeNames: names('token'),
      ExpressionAttributeValues: { ':token': { S: token } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })
    try {
      await this.client.send(command)
    } catch (error) {
      if (!isConditionalFailure(error)) throw new IdempotencyStoreUnavailableError('release', error)
      // Nothing left to release (an SDK retry of a delete that landed, or TTL) is success; another token is not.
      if (refusedItem(error) !== undefined) throw new IdempotencyLeaseLostError('release')
    }
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    try {
      const { Item: item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { [A.key]: { S: key } }, ConsistentRead: true }),
      )
      return item === undefined ? undefined : fromItem(item)
    } catch (error) {
      throw new IdempotencyStoreUnavailableError('get', error)
    }
  }

  async getMany(keys: readonly string[]): Promise<Map<string, IdempotencyRecord>> {
    const items = await batchGetItems(this.client, this.tableName, keys)
    return new Map(items.map((item) => fromItem(item)).map((record) => [record.key, record]))
  }

  /** Completion rewrites every attribute from `toItem` and removes what a completed record no longer has. */
  private completionUpdate(record: CompletedRecord): Update {
    const item = toItem(record)
    const set = Object.keys(item).filter((name) => name !== A.key)
    const remove = Object.values(A).filter((name) => name !== A.key && !(name in item))
    const removeClause = remove.length === 0 ? '' : ` REMOVE ${remove.map((name) => `#${name}`).join(', ')}`
    return {
      TableName: this.tableName,
      Key: { [A.key]: { S: record.key } },
      UpdateExpression: `SET ${set.map((name) => `#${name} = :${name}`).join(', ')}${removeClause}`,
      ConditionExpression: HOLDS_TOKEN,
      ExpressionAttributeNames: {
        ...Object.fromEntries([...set, ...remove].map((name) => [`#${name}`, name])),
        ...names('token'),
      },
      ExpressionAttributeValues: {
        ...Object.fromEntries(set.map((name) => [`:${name}`, item[name] as Item[string]])),
        ':token': { S: record.token },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }
  }
}

/** Strongly consistent reads of many keys: one BatchGetItem per 100, repeated for any unprocessed keys. */
export async function batchGetItems(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly string[],
): Promise<Item[]> {
  const items: Item[] = []
  const unique = [...new Set(keys)]
  for (let start = 0; start < unique.length; start += BATCH_GET_MAX_KEYS) {
    let pending: Item[] | undefined = unique
      .slice(start, start + BATCH_GET_MAX_KEYS)
      .map((key) => ({ [A.key]: { S: key } }))
    while (pending !== undefined && pending.length > 0) {
      const request = { [tableName]: { Keys: pending, ConsistentRead: true } }
      const output: BatchGetItemCommandOutput = await client
        .send(new BatchGetItemCommand({ RequestItems: request }))
        .catch((error: unknown) => {
          throw new IdempotencyStoreUnavailableError('getMany', error)
        })
      items.push(...(output.Responses?.[tableName] ?? []))
      pending = output.UnprocessedKeys?.[tableName]?.Keys
    }
  }
  return items
}

/**
 * Sends a token-conditioned completion, alone or first in one transaction with the caller's own writes. Its
 * condition failing means another attempt holds the item (lease lost); the caller's writes failing theirs is
 * the caller's error to see; anything else is a store outage.
 */
export async function sendFencedCompletion(
  client: DynamoDBClient,
  update: Update,
  extraWrites: readonly TransactWriteItem[],
): Promise<void> {
  try {
    if (extraWrites.length === 0) await client.send(new UpdateItemCommand(update))
    else
      await client.send(
        new TransactWriteItemsCommand({ TransactItems: [{ Update: update }, ...extraWrites] }),
      )
  } catch (error) {
    if (isConditionalFailure(error) || completionConditionFailed(error))
      throw new IdempotencyLeaseLostError('complete')
    if (isCancelledByOwnWrites(error)) throw error
    throw new IdempotencyStoreUnavailableError('complete', error)
  }
}

function names(...logical: (keyof typeof A)[]): Record<string, string> {
  return Object.fromEntries(logical.map((name) => [`#${name}`, A[name]]))
}

export function isConditionalFailure(error: unknown): error is ConditionalCheckFailedException {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
}

export function refusedItem(error: unknown): Item | undefined {
  return isConditionalFailure(error) ? error.Item : undefined
}

function cancellationCodes(error: unknown): (string | undefined)[] {
  if ((error as Error | undefined)?.name !== 'TransactionCanceledException') return []
  return ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code)
}

/** In a completion transaction the idempotency update is always the first action. */
function completionConditionFailed(error: unknown): boolean {
  return cancellationCodes(error)[0] === 'ConditionalCheckFailed'
}

/** The handler's own items refused the transaction: its error to see, not a store outage. */
function isCancelledByOwnWrites(error: unknown): boolean {
  return cancellationCodes(error).slice(1).includes('ConditionalCheckFailed')
}

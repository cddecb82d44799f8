import {
  type BatchGetItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type TransactWriteItemsCommand,
  type Update,
  type UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { IdempotencyLeaseLostError } from '../errors.js'
import {
  type CompletedRecord,
  completedBy,
  type IdempotencyRecord,
  type InProgressRecord,
  toEpochSeconds,
} from '../record.js'
import { collectedItems } from '../store/collected-writes.js'
import type { AcquireResult, IdempotencyStore, OwnWritesClaim } from '../store/interface.js'
import { batchGetItems, isConditionalFailure, refusedItem, sendFencedCompletion } from './calls.js'
import { dynamoDBError } from './errors.js'
import { fromItem, type Item, toItem } from './item.js'
import { DYNAMODB_MAX_RESULT_BYTES } from './limits.js'
import { type DynamoDBOwnWrites, dynamoDBOwnWrites } from './own-writes.js'
import { IDEMPOTENCY_ATTRIBUTES as A, IDEMPOTENCY_TABLE_ENV } from './schema.js'

/**
 * What the store sends its commands through: a `DynamoDBClient`, or a lib-dynamodb `DynamoDBDocumentClient` made
 * from one (it sends the low-level commands as they are). Written out, so neither package's types are needed to
 * name it.
 */
export interface DynamoDBClientLike {
  send(
    command:
      | PutItemCommand
      | UpdateItemCommand
      | DeleteItemCommand
      | GetItemCommand
      | BatchGetItemCommand
      | TransactWriteItemsCommand,
  ): Promise<unknown>
}

export interface DynamoDBStoreOptions {
  /** @default process.env.IDEMPOTENCY_TABLE_NAME (set by the CDK construct's grant) */
  readonly tableName?: string
  /**
   * A `DynamoDBClient`, or a `DynamoDBDocumentClient` (lib-dynamodb) you already have.
   * @default a DynamoDBClient for the Lambda's region, or for `DYNAMODB_ENDPOINT` when set (DynamoDB Local: on a
   * loopback address it needs no region or credentials)
   */
  readonly client?: DynamoDBClientLike
}

/** The client the store makes itself: DynamoDB Local on loopback gets a placeholder region and credentials. */
export function defaultDynamoDBClient(endpoint = process.env.DYNAMODB_ENDPOINT || undefined): DynamoDBClient {
  if (endpoint === undefined || !isLoopback(endpoint)) return new DynamoDBClient({ endpoint })
  return new DynamoDBClient({
    endpoint,
    ...LOCAL_PLACEHOLDERS,
    region: process.env.AWS_REGION || LOCAL_REGION,
  })
}

/**
 * DynamoDB Local accepts any credentials and region, and the SDK insists on some: with these, a developer's
 * machine needs no AWS configuration at all. Its `-sharedDb` mode (what `lambda-idempotency local` starts) shows
 * every client the same tables, whatever region and key they name.
 */
const LOCAL_REGION = 'local'
const LOCAL_PLACEHOLDERS = { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname
    return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)
  } catch {
    return false
  }
}

// Timeline of a key: absent → IN_PROGRESS (lease) → COMPLETED → expired (TTL deletes it some time later).
// An attempt may claim the key while nobody holds it: never written, past retention, or abandoned mid-lease by
// an attempt with the same payload (a different payload is a mismatch, never a takeover). Mirrors `decide`.
const KEY_ABSENT = 'attribute_not_exists(#key)'
const RETENTION_OVER = '#expiresAt <= :nowSeconds'
const LEASE_ABANDONED = '(#status = :inProgress AND #leaseUntil <= :nowMs AND #fingerprint = :fingerprint)'
const ACQUIRE_CONDITION = `${KEY_ABSENT} OR ${RETENTION_OVER} OR ${LEASE_ABANDONED}`
/**
 * Fencing: only the attempt whose token holds the claim may complete or release it, and only while it is a claim.
 * The status matters: a completion keeps its token, so a token-only fence lets a completion sent again after it
 * landed (its answer lost) apply its writes a second time, and a late release delete the completed record.
 */
const HOLDS_CLAIM = '#token = :token AND #status = :inProgress'

const ACQUIRE_NAMES = names('key', 'expiresAt', 'status', 'leaseUntil', 'fingerprint')
const CLAIM_NAMES = names('token', 'status')

/** The store on DynamoDB: one conditional write per transition, each returning the refusing item (ALL_OLD). *
 * @example
 * ```ts
 * // The table from the CDK construct (IDEMPOTENCY_TABLE_NAME), the region's DynamoDB:
 * const store = new DynamoDBStore()
 * // Or a table and client of your own:
 * const local = new DynamoDBStore({ tableName: 'idempotency', client: new DynamoDBClient({}) })
 * ```
 */
export class DynamoDBStore implements IdempotencyStore<DynamoDBOwnWrites> {
  readonly tableName: string
  /** DynamoDB's 400 KB item limit less the key (at its 2 KB limit) and the record's other attributes. */
  readonly maxResultBytes = DYNAMODB_MAX_RESULT_BYTES
  private readonly client: DynamoDBClient

  constructor(options: DynamoDBStoreOptions = {}) {
    const tableName = options.tableName ?? process.env[IDEMPOTENCY_TABLE_ENV]
    if (!tableName)
      throw new Error(`DynamoDBStore needs a tableName or the ${IDEMPOTENCY_TABLE_ENV} variable`)
    this.tableName = tableName
    // A DocumentClient sends the low-level commands unchanged; typed as the client whose commands they are.
    this.client = (options.client ?? defaultDynamoDBClient()) as DynamoDBClient
  }

  async acquire(record: InProgressRecord, nowEpochMs: number): Promise<AcquireResult> {
    const command = new PutItemCommand({
      TableName: this.tableName,
      Item: toItem(record),
      ConditionExpression: ACQUIRE_CONDITION,
      ExpressionAttributeNames: ACQUIRE_NAMES,
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
      if (existing !== undefined) return { acquired: false, existing: fromItem(existing) }
      // Refused, unwritten, because a transaction on the record is in progress: the completion of the request
      // holding the key. What it refused is the record, read now; none to read is the outage it then is.
      const held = isTransactionConflict(error)
        ? await this.get(record.key).catch(() => undefined)
        : undefined
      if (held === undefined) throw dynamoDBError('acquire', error, this.tableName)
      return { acquired: false, existing: held }
    }
  }

  /** The handler's own writes: TransactWriteItems sent in one transaction with the completion. */
  openOwnWrites(claim: OwnWritesClaim): DynamoDBOwnWrites {
    return dynamoDBOwnWrites(claim)
  }

  async complete(record: CompletedRecord, ownWrites?: DynamoDBOwnWrites): Promise<void> {
    const outcome = await sendFencedCompletion(
      this.client,
      this.completionUpdate(record),
      collectedItems(ownWrites),
    )
    if (outcome.written) return
    // Refused by the fence, so nothing was applied: done if this token completed the record before.
    const { refusedBy } = outcome
    if (!completedBy(refusedBy && fromItem(refusedBy), record.token))
      throw new IdempotencyLeaseLostError('complete')
  }

  async release(key: string, token: string): Promise<void> {
    const command = new DeleteItemCommand({
      TableName: this.tableName,
      Key: { [A.key]: { S: key } },
      ConditionExpression: HOLDS_CLAIM,
      ExpressionAttributeNames: CLAIM_NAMES,
      ExpressionAttributeValues: { ':token': { S: token }, ':inProgress': { S: 'IN_PROGRESS' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })
    try {
      await this.client.send(command)
    } catch (error) {
      if (!isConditionalFailure(error)) throw dynamoDBError('release', error, this.tableName)
      // Nothing left to release (an SDK retry of a delete that landed, or TTL), or a record this token completed,
      // is success and stays as it is; another token's record is not.
      const existing = refusedItem(error)
      if (existing !== undefined && !completedBy(fromItem(existing), token))
        throw new IdempotencyLeaseLostError('release')
    }
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    try {
      const { Item: item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { [A.key]: { S: key } }, ConsistentRead: true }),
      )
      return item === undefined ? undefined : fromItem(item)
    } catch (error) {
      throw dynamoDBError('get', error, this.tableName)
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
    const values: Item = { ':token': { S: record.token }, ':inProgress': { S: 'IN_PROGRESS' } }
    for (const name of set) values[`:${name}`] = item[name] as Item[string]
    return {
      TableName: this.tableName,
      Key: { [A.key]: { S: record.key } },
      ...completionExpression(set),
      ConditionExpression: HOLDS_CLAIM,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }
  }
}

type CompletionExpression = Required<Pick<Update, 'UpdateExpression' | 'ExpressionAttributeNames'>>

/** Keyed by the attributes set; there are as many as result encodings, so the map stays tiny. */
const completionExpressions = new Map<string, CompletionExpression>()

/** The expression depends only on which attributes the completed item has, so it is built once per shape. */
function completionExpression(set: readonly string[]): CompletionExpression {
  const shape = set.join(',')
  const cached = completionExpressions.get(shape)
  if (cached !== undefined) return cached
  const remove = Object.values(A).filter((name) => name !== A.key && !set.includes(name))
  const removeClause = remove.length === 0 ? '' : ` REMOVE ${remove.map((name) => `#${name}`).join(', ')}`
  const expression = {
    UpdateExpression: `SET ${set.map((name) => `#${name} = :${name}`).join(', ')}${removeClause}`,
    ExpressionAttributeNames: {
      ...Object.fromEntries([...set, ...remove].map((name) => [`#${name}`, name])),
      ...CLAIM_NAMES,
    },
  }
  completionExpressions.set(shape, expression)
  return expression
}

function names(...logical: (keyof typeof A)[]): Record<string, string> {
  return Object.fromEntries(logical.map((name) => [`#${name}`, A[name]]))
}

const isTransactionConflict = (error: unknown): boolean =>
  (error as Error | undefined)?.name === 'TransactionConflictException'

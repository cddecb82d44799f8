import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb'
import { dynamoDBError } from '../../dynamodb/errors.js'
import { IDEMPOTENCY_ATTRIBUTES as A, IDEMPOTENCY_TABLE_ENV } from '../../dynamodb/schema.js'
import { defaultDynamoDBClient } from '../../dynamodb/store.js'
import { IdempotencyLeaseLostError } from '../../errors.js'
import { collectedItems } from '../../store/collected-writes.js'
import {
  type JobClaim,
  type JobClaimResult,
  type JobState,
  type JobStore,
  type JobWritesClaim,
  runCompleted,
} from '../job-store.js'
import { DynamoDBJobWrites, type DynamoDBTransactItem } from './job-writes.js'

/**
 * A job's records beside the idempotency records, on the same table: `id` is `pipeline-run#job#partition`; the
 * claim's `token` and `leaseUntilMs` reuse the table's own attribute names. No `expiresAt`: a forgotten run
 * would let a finished partition run again.
 */
const ATTRIBUTES = {
  key: A.key,
  token: A.token,
  leaseUntil: A.leaseUntil,
  claimInputVersion: 'claimInputVersion',
  inputVersion: 'inputVersion',
  summary: 'summary',
  completedBy: 'completedBy',
  completedAt: 'completedAtMs',
} as const

/** TransactWriteItems takes 100 actions; the completion is one of them. */
const MAX_JOINED_WRITES = 99

export interface DynamoDBJobStoreOptions {
  /** @default process.env.IDEMPOTENCY_TABLE_NAME: the idempotency table the CDK construct makes */
  readonly tableName?: string
  /** @default a client on DYNAMODB_ENDPOINT (on loopback, no region or credentials needed), or the Region's */
  readonly client?: DynamoDBClient
}

/**
 * Partition runs on the idempotency table: one conditional UpdateItem per transition, the claim's condition
 * `decideJob` written as a condition expression. A run's writes (`DynamoDBJobWrites`: the partition pointer's
 * switch) are sent with its completion in one TransactWriteItems, so they land only if the run still holds.
 *
 * @example
 * ```ts
 * const job = pipelineJob({ store: new DynamoDBJobStore({ tableName: 'idempotency' }), name: 'daily-totals' })
 * ```
 */
export class DynamoDBJobStore implements JobStore<DynamoDBJobWrites> {
  readonly tableName: string
  private readonly documents: DynamoDBDocumentClient

  constructor(options: DynamoDBJobStoreOptions = {}) {
    const tableName = options.tableName ?? process.env[IDEMPOTENCY_TABLE_ENV]
    if (!tableName)
      throw new Error(`DynamoDBJobStore needs a tableName or the ${IDEMPOTENCY_TABLE_ENV} variable`)
    this.tableName = tableName
    this.documents = ownDocumentClient(options.client ?? defaultDynamoDBClient())
  }

  async claim(request: JobClaim, nowEpochMs: number): Promise<JobClaimResult> {
    // `decideJob` as a condition: the run's own claim, or no live claim and no completion this run would replay.
    const unclaimed = '(attribute_not_exists(#leaseUntil) OR #leaseUntil <= :nowMs)'
    const notDone = '(attribute_not_exists(#completedBy) OR #inputVersion <> :input)'
    // DynamoDB refuses redundant parentheses, so a forced claim's condition drops the group it does not need.
    const free = request.force ? unclaimed : `(${unclaimed} AND ${notDone})`
    const update = this.update(request.key, {
      UpdateExpression: 'SET #claimInputVersion = :input, #token = :token, #leaseUntil = :leaseUntil',
      ConditionExpression: `#token = :token OR ${free}`,
      ExpressionAttributeValues: {
        ':input': request.inputVersion,
        ':token': request.token,
        ':leaseUntil': request.leaseUntilEpochMs,
        ':nowMs': nowEpochMs,
      },
    })
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({ ...update, ReturnValues: 'ALL_OLD' }),
      )
      return { claimed: true, existing: Attributes && stateFrom(Attributes) }
    } catch (error) {
      if (!isConditionalFailure(error)) throw this.failure('claim partition', error)
    }
    // lib-dynamodb leaves a refusal's item in DynamoDB's wire format: read it as plain values instead.
    return { claimed: false, existing: await this.get(request.key) }
  }

  /** The run's writes: lib-dynamodb TransactWriteItems actions, sent with its completion. */
  openWrites(claim: JobWritesClaim): DynamoDBJobWrites {
    return new DynamoDBJobWrites(MAX_JOINED_WRITES, claim.assertWritable)
  }

  async complete(
    claim: JobClaim,
    summary: string,
    nowEpochMs: number,
    writes?: DynamoDBJobWrites,
  ): Promise<void> {
    const update = this.update(claim.key, {
      UpdateExpression:
        'SET #inputVersion = :input, #summary = :summary, #completedBy = :token, #completedAt = :now REMOVE #claimInputVersion, #token, #leaseUntil',
      ConditionExpression: '#token = :token',
      ExpressionAttributeValues: {
        ':input': claim.inputVersion,
        ':summary': summary,
        ':token': claim.token,
        ':now': nowEpochMs,
      },
    })
    const joined = collectedItems<DynamoDBTransactItem>(writes)
    try {
      if (joined.length === 0) await this.documents.send(new UpdateCommand(update))
      else
        await this.documents.send(
          new TransactWriteCommand({ TransactItems: [{ Update: update }, ...joined] }),
        )
      return
    } catch (error) {
      const refused = isConditionalFailure(error) || firstCancellation(error) === 'ConditionalCheckFailed'
      // The run's own writes refused the transaction: its error to see, nothing was written.
      if (!refused && cancellationCodes(error).slice(1).includes('ConditionalCheckFailed')) throw error
      // Refused, or its answer lost in transit: the record read back tells whether this completion landed.
      const state = await this.get(claim.key).catch(() => undefined)
      if (runCompleted(state, claim)) return
      if (refused) throw new IdempotencyLeaseLostError('complete')
      throw this.failure('complete run', error)
    }
  }

  async release(claim: JobClaim): Promise<void> {
    const update = this.update(claim.key, {
      UpdateExpression: 'REMOVE #claimInputVersion, #token, #leaseUntil',
      ConditionExpression: '#token = :token',
      ExpressionAttributeValues: { ':token': claim.token },
    })
    try {
      await this.documents.send(new UpdateCommand(update))
    } catch (error) {
      if (!isConditionalFailure(error)) throw this.failure('release run', error)
      // Nothing left to release (released before, or completed) is success; another run's claim is not.
      if ((await this.get(claim.key))?.claim !== undefined) throw new IdempotencyLeaseLostError('release')
    }
  }

  async get(key: string): Promise<JobState | undefined> {
    try {
      const { Item } = await this.documents.send(
        new GetCommand({ TableName: this.tableName, Key: { [ATTRIBUTES.key]: key }, ConsistentRead: true }),
      )
      return Item && stateFrom(Item)
    } catch (error) {
      throw this.failure('get run', error)
    }
  }

  /** The request store's reading of a failed call: a table that is not set up is named, anything else retried. */
  private failure(operation: string, error: unknown): Error {
    return dynamoDBError(operation, error, this.tableName)
  }

  /** An UpdateItem on the run's record, naming only the attributes its expressions use. */
  private update(
    key: string,
    request: Pick<UpdateCommandInput, 'ConditionExpression' | 'ExpressionAttributeValues'> & {
      UpdateExpression: string
    },
  ): UpdateCommandInput & { UpdateExpression: string } {
    const used = `${request.UpdateExpression} ${request.ConditionExpression}`
    const names = Object.fromEntries(
      Object.entries(ATTRIBUTES)
        .filter(([name]) => new RegExp(`#${name}\\b`).test(used))
        .map(([name, attribute]) => [`#${name}`, attribute]),
    )
    return {
      TableName: this.tableName,
      Key: { [ATTRIBUTES.key]: key },
      ExpressionAttributeNames: names,
      ...request,
    }
  }
}

function stateFrom(item: Record<string, unknown>): JobState {
  const text = (name: keyof typeof ATTRIBUTES) => item[ATTRIBUTES[name]] as string | undefined
  const number = (name: keyof typeof ATTRIBUTES) => item[ATTRIBUTES[name]] as number | undefined
  const token = text('token')
  const leaseUntilEpochMs = number('leaseUntil')
  const completedBy = text('completedBy')
  return {
    key: item[ATTRIBUTES.key] as string,
    ...(completedBy !== undefined && {
      completed: {
        inputVersion: text('inputVersion') ?? '',
        summary: text('summary') ?? 'null',
        token: completedBy,
        completedAtEpochMs: number('completedAt') ?? 0,
      },
    }),
    ...(token !== undefined &&
      leaseUntilEpochMs !== undefined && {
        claim: { inputVersion: text('claimInputVersion') ?? '', token, leaseUntilEpochMs },
      }),
  }
}

const isConditionalFailure = (error: unknown) =>
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException'

function cancellationCodes(error: unknown): (string | undefined)[] {
  if ((error as Error | undefined)?.name !== 'TransactionCanceledException') return []
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []
  return reasons.map((reason) => reason.Code)
}

/** In a completion transaction the run's own record is the first action. */
const firstCancellation = (error: unknown) => cancellationCodes(error)[0]

/**
 * A DocumentClient over the caller's client, with marshalling options of its own. lib-dynamodb's `from` writes its
 * options into `client.config`, which every DocumentClient made from that client shares: made that way, the store
 * would reset the caller's options (`removeUndefinedValues` gone), and the caller's next `from` would change how
 * the store reads its runs (`wrapNumbers`). A shallow copy of the config (the same credentials, endpoint and
 * handler) keeps the two apart; the SDK's middleware reads the config's own members, so a prototype would not do.
 */
function ownDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  const isolated = { config: { ...client.config }, middlewareStack: client.middlewareStack }
  return DynamoDBDocumentClient.from(isolated as DynamoDBClient)
}

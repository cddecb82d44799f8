import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type CancellationReason,
  type ConditionalCheckFailedException,
  type DynamoDBClient,
  type TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import { backOff } from '../backoff.js'
import { type RefusedPart, StoreWriteRefusedError } from '../store/interface.js'
import { dynamoDBError } from './errors.js'
import type { Item } from './item.js'
import { IDEMPOTENCY_ATTRIBUTES as A } from './schema.js'

/** DynamoDB's own cap on keys per BatchGetItem. */
const BATCH_GET_MAX_KEYS = 100
/**
 * Unprocessed keys mean the table is throttling this read; the SDK does not retry them, so back off briefly
 * (25, 50, 100... ms) and give up as an outage after a few rounds rather than spin.
 */
const UNPROCESSED_FIRST_DELAY_MS = 25
const UNPROCESSED_MAX_ROUNDS = 6

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
    for (let round = 0; pending !== undefined && pending.length > 0; round++) {
      if (round === UNPROCESSED_MAX_ROUNDS)
        throw dynamoDBError('getMany', new Error('keys left unprocessed (throttled)'), tableName)
      if (round > 0) await backOff(UNPROCESSED_FIRST_DELAY_MS, round)
      const request = { [tableName]: { Keys: pending, ConsistentRead: true } }
      const output: BatchGetItemCommandOutput = await client
        .send(new BatchGetItemCommand({ RequestItems: request }))
        .catch((error: unknown) => {
          throw dynamoDBError('getMany', error, tableName)
        })
      items.push(...(output.Responses?.[tableName] ?? []))
      pending = output.UnprocessedKeys?.[tableName]?.Keys
    }
  }
  return items
}

/** What a fenced completion did: written, or refused by its condition, with the item that refused it if any. */
export type FencedOutcome =
  | { readonly written: true }
  | { readonly written: false; readonly refusedBy?: Item }

/**
 * Sends a fenced completion, alone or first in one transaction with the caller's own writes. Its condition
 * failing is the caller's to judge from the refusing item (completed by this token before, or held by another);
 * the caller's writes failing theirs is the caller's error to see; a request DynamoDB refuses as invalid is
 * refused for good; a transaction cancelled by a conflicting write in progress is sent again, a few times; anything
 * else is a store outage. The SDK's retries of a transaction keep its
 * ClientRequestToken, so DynamoDB applies a retried one that landed only once.
 */
export async function sendFencedCompletion(
  client: DynamoDBClient,
  update: Update,
  ownWrites: readonly TransactWriteItem[],
): Promise<FencedOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendCompletion(client, update, ownWrites)
    } catch (error) {
      // Cancelled for a conflicting write in progress on one of its items (a duplicate's claim of the key, sent
      // while this completes): nothing was applied, and the fence makes sending it again safe.
      if (!isConflictOnly(error)) throw error
      if (attempt === CONFLICT_MAX_ATTEMPTS)
        throw dynamoDBError('complete', error, update.TableName ?? 'unknown')
      await backOff(CONFLICT_FIRST_DELAY_MS, attempt)
    }
  }
}

/**
 * A transaction cancelled only by TransactionConflict is sent again this many times in all, 20, 40, 80... ms
 * apart: the write it met takes milliseconds, and the SDK does not retry a cancelled transaction itself.
 */
const CONFLICT_MAX_ATTEMPTS = 5
const CONFLICT_FIRST_DELAY_MS = 20

function isConflictOnly(error: unknown): boolean {
  const codes = cancellationCodes(error)
  return (
    codes.includes('TransactionConflict') &&
    codes.every((code) => code === 'TransactionConflict' || code === 'None')
  )
}

async function sendCompletion(
  client: DynamoDBClient,
  update: Update,
  ownWrites: readonly TransactWriteItem[],
): Promise<FencedOutcome> {
  try {
    if (ownWrites.length === 0) await client.send(new UpdateItemCommand(update))
    else
      await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Update: update }, ...ownWrites] }))
    return { written: true }
  } catch (error) {
    if (isConflictOnly(error)) throw error
    if (isConditionalFailure(error)) return { written: false, refusedBy: error.Item }
    const completion = completionCancellation(error)
    if (completion?.Code === 'ConditionalCheckFailed') return { written: false, refusedBy: completion.Item }
    if (isCancelledByOwnWrites(error)) throw error
    const refused = refusedPart(error, ownWrites.length > 0)
    if (refused !== undefined) {
      const { name, message } = error as Error
      throw new StoreWriteRefusedError(refused, `DynamoDB ${name}: ${message}`, { cause: error })
    }
    throw dynamoDBError('complete', error, update.TableName ?? 'unknown')
  }
}

export function isConditionalFailure(error: unknown): error is ConditionalCheckFailedException {
  return (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
}

export function refusedItem(error: unknown): Item | undefined {
  return isConditionalFailure(error) ? error.Item : undefined
}

function cancellationReasons(error: unknown): CancellationReason[] {
  if ((error as Error | undefined)?.name !== 'TransactionCanceledException') return []
  return (error as TransactionCanceledException).CancellationReasons ?? []
}

const cancellationCodes = (error: unknown) => cancellationReasons(error).map((reason) => reason.Code)

/** In a completion transaction the idempotency update is always the first action. */
const completionCancellation = (error: unknown): CancellationReason | undefined =>
  cancellationReasons(error)[0]

/** The handler's own items refused the transaction: its error to see, not a store outage. */
function isCancelledByOwnWrites(error: unknown): boolean {
  return cancellationCodes(error).slice(1).includes('ConditionalCheckFailed')
}

/**
 * Which part of a completion DynamoDB refused as invalid (an item over 400 KB, a transaction over 4 MB, a
 * missing key, two actions on one item). A ValidationException does not say which item of a transaction it is
 * about; real DynamoDB may instead cancel the transaction with a ValidationError reason on the action at fault.
 */
function refusedPart(error: unknown, transaction: boolean): RefusedPart | undefined {
  if ((error as Error | undefined)?.name === 'ValidationException') return transaction ? 'unknown' : 'record'
  const codes = cancellationCodes(error)
  const record = codes[0] === 'ValidationError'
  const writes = codes.slice(1).includes('ValidationError')
  if (record && writes) return 'unknown'
  if (record) return 'record'
  return writes ? 'own-writes' : undefined
}

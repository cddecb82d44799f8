import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { backOff } from '../../backoff.js'

/** An item as lib-dynamodb takes it: attribute names to plain JavaScript values. An interface of your own fits. */
export type Item = object

/** An item read back, or indexed by attribute name. */
export type StoredItem = Record<string, unknown>

/** DynamoDB's own cap on requests per BatchWriteItem. */
const BATCH_WRITE_MAX_ITEMS = 25
/** Batches in flight at once: enough to write 10,000 items in seconds, few enough not to flood a table. */
const BATCHES_IN_FLIGHT = 8
/**
 * Unprocessed items mean the table is throttling; the SDK does not resend them, so back off (50, 100, 200... ms,
 * about 13 s over 8 rounds) and then fail loudly rather than spin or drop them.
 */
const UNPROCESSED_FIRST_DELAY_MS = 50
const UNPROCESSED_MAX_ROUNDS = 8

/** Thrown when a batch's items stay unprocessed after every round of backoff: the table is throttling. */
export class UnprocessedItemsError extends Error {
  constructor(readonly unprocessed: number) {
    super(
      `${unprocessed} items were left unprocessed after ${UNPROCESSED_MAX_ROUNDS} rounds of backoff (the table is throttling). Items written before stay written; a re-run writes them all again.`,
    )
    this.name = new.target.name
  }
}

/**
 * Puts `items` with BatchWriteItem, 25 per call, a few calls at a time, resending unprocessed items with
 * bounded backoff. Unconditional: BatchWriteItem takes no condition, so the last writer of a key wins.
 */
export async function batchPut(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
): Promise<void> {
  const batches: Item[][] = []
  for (let start = 0; start < items.length; start += BATCH_WRITE_MAX_ITEMS)
    batches.push(items.slice(start, start + BATCH_WRITE_MAX_ITEMS))
  let next = 0
  const worker = async () => {
    for (let batch = batches[next++]; batch !== undefined; batch = batches[next++])
      await writeBatch(client, tableName, batch)
  }
  await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, worker))
}

async function writeBatch(
  client: DynamoDBDocumentClient,
  tableName: string,
  batch: readonly Item[],
): Promise<void> {
  let pending = batch.map((Item) => ({ PutRequest: { Item: Item as StoredItem } }))
  for (let round = 0; pending.length > 0; round++) {
    if (round === UNPROCESSED_MAX_ROUNDS) throw new UnprocessedItemsError(pending.length)
    if (round > 0) await backOff(UNPROCESSED_FIRST_DELAY_MS, round)
    const { UnprocessedItems } = await client.send(
      new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
    )
    pending = (UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
      request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
    )
  }
}

/** The value of an item's key attributes, to find two items with one key. */
export function keyOf(given: Item, key: readonly string[]): string {
  const item = given as StoredItem
  const missing = key.filter((name) => item[name] === undefined)
  if (missing.length > 0) throw new TypeError(`An item lacks its key attribute(s) ${missing.join(', ')}`)
  return JSON.stringify(
    key.map((name) => item[name]),
    (_name, value) => (typeof value === 'bigint' ? `${value}n` : value),
  )
}

export interface UpsertItemsOptions {
  readonly tableName: string
  /** The table's key attributes: its partition key, and its sort key if it has one. */
  readonly key: readonly string[]
}

/**
 * Upsert by key: puts every item whole (BatchWriteItem), replacing whatever its key held; two items with one key
 * keep the last (a batch refuses both). Resends unprocessed items with bounded backoff, then throws
 * `UnprocessedItemsError`. Last writer wins: BatchWriteItem cannot be conditional, so a late or slower run
 * overwrites a newer one's items. Where that matters, use `putNewerItems`. Returns how many items it put.
 *
 * - Re-run: puts the same items again: the same table.
 * - Crash midway: what landed stays; the re-run puts everything again over it. Items the new run no longer
 *   produces are not removed (that is partition replace: `dynamoDBPartitions`).
 * - Zombie: its puts land whenever they arrive, over newer ones: last writer wins.
 * - Two concurrent runs of one partition: the job lets one run; without it, per item the last put wins.
 *
 * @example
 * ```ts
 * await upsertItems(documents, { tableName: 'customers', key: ['customerId'] }, changedCustomers)
 * ```
 */
export async function upsertItems(
  client: DynamoDBDocumentClient,
  options: UpsertItemsOptions,
  items: readonly Item[],
): Promise<number> {
  const byKey = new Map<string, Item>()
  for (const item of items) {
    const id = keyOf(item, options.key)
    byKey.delete(id)
    byKey.set(id, item)
  }
  await batchPut(client, options.tableName, [...byKey.values()])
  return byKey.size
}

import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { type Item, keyOf, type StoredItem } from './batch-write.js'

export interface PutNewerItemsOptions {
  readonly tableName: string
  /** The table's key attributes: its partition key, and its sort key if it has one. */
  readonly key: readonly string[]
  /** The attribute that orders an item's versions (a number: a source sequence, an event time in ms). */
  readonly versionAttribute: string
  /** Puts in flight at once. @default 16 */
  readonly concurrency?: number
}

/** Puts in flight at once unless told: conditional puts cannot be batched, so they are sent side by side. */
const DEFAULT_CONCURRENCY = 16

/**
 * Versioned upsert: one conditional PutItem per item, `attribute_not_exists(key) OR version < :version`, so an
 * item only replaces an older version of itself. A late run (a retry, a backfill of old data, a zombie) never
 * overwrites a newer one: its stale items are skipped, each at the cost of one failed conditional write (which
 * DynamoDB still bills). The same version again is skipped too, so a re-run writes nothing new. Returns how many
 * items were written and how many skipped as not newer.
 *
 * - Re-run: every item is skipped (same version).
 * - Crash midway: what landed stays; the re-run writes the rest and skips what landed.
 * - Zombie: its items are skipped wherever a newer version landed meanwhile.
 * - Two concurrent runs: per item, the higher version wins, whichever lands last.
 *
 * @example
 * ```ts
 * await putNewerItems(documents, { tableName: 'accounts', key: ['accountId'], versionAttribute: 'sequence' }, rows)
 * ```
 */
export async function putNewerItems(
  client: DynamoDBDocumentClient,
  options: PutNewerItemsOptions,
  items: readonly Item[],
): Promise<{ written: number; skipped: number }> {
  const { versionAttribute: version } = options
  // Two versions of one key in a call: only the highest can win, so only it is sent.
  const newest = new Map<string, StoredItem>()
  for (const given of items) {
    const item = given as StoredItem
    if (typeof item[version] !== 'number' && typeof item[version] !== 'bigint')
      throw new TypeError(`An item's ${version} must be a number to order its versions`)
    const id = keyOf(item, options.key)
    const held = newest.get(id)
    if (held === undefined || (held[version] as number) < (item[version] as number)) newest.set(id, item)
  }
  const queue = [...newest.values()]
  let written = 0
  let skipped = 0
  const worker = async () => {
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) {
      if (await putIfNewer(client, options, item)) written++
      else skipped++
    }
  }
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, queue.length) }, worker),
  )
  return { written, skipped }
}

async function putIfNewer(
  client: DynamoDBDocumentClient,
  options: PutNewerItemsOptions,
  item: StoredItem,
): Promise<boolean> {
  try {
    await client.send(
      new PutCommand({
        TableName: options.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#key) OR #version < :version',
        ExpressionAttributeNames: { '#key': options.key[0] as string, '#version': options.versionAttribute },
        ExpressionAttributeValues: { ':version': item[options.versionAttribute] },
      }),
    )
    return true
  } catch (error) {
    if ((error as Error | undefined)?.name === 'ConditionalCheckFailedException') return false
    throw error
  }
}

import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { JobRun } from '../job.js'
import { batchPut, type Item, type StoredItem } from './batch-write.js'
import { dynamoDBJobWrites } from './job-writes.js'

export interface DynamoDBPartitionsOptions {
  /** A lib-dynamodb client: rows are plain JavaScript values. */
  readonly client: DynamoDBDocumentClient
  /** The data table: a string partition key and a string sort key, and TTL enabled on `ttlAttribute`. */
  readonly tableName: string
  /** Names the data set (`daily-totals`): its pointers, run markers and rows are keyed under it. No `#`. */
  readonly name: string
  /** The table's partition key. @default 'pk' */
  readonly partitionKey?: string
  /** The table's sort key: every row sets it, unique within its partition (`EUR`, `customer#42`). @default 'sk' */
  readonly sortKey?: string
  /** The table's TTL attribute, epoch seconds. @default 'expiresAt' */
  readonly ttlAttribute?: string
  /**
   * How long a superseded run's rows stay after the switch, in seconds, for readers that resolved the pointer
   * just before it. TTL deletes them within days after that. @default 3600
   */
  readonly supersededTtlSeconds?: number
  /** Epoch milliseconds, for the TTL it sets. @default Date.now */
  readonly now?: () => number
}

/** One run's copy of a partition, written beside the live one until the run completes. */
export interface PartitionWriter {
  /** The run id the rows are keyed under. */
  readonly runId: string
  /** Puts rows into this run's copy (BatchWriteItem, unprocessed items resent); nobody reads them yet. */
  write(rows: readonly Item[]): Promise<void>
  /**
   * Switches the partition's pointer to this run, in the transaction that completes the run (fenced by its
   * claim), and expires the superseded runs' rows once that has committed. Call once, after the last write.
   */
  publish(): void
}

export interface DynamoDBPartitions {
  /** Starts the run's copy of its partition (`run.partition` unless given). */
  begin(run: JobRun, partition?: string): Promise<PartitionWriter>
  /** The partition's live rows, or undefined before any run of it completed. */
  read(partition: string): Promise<{ readonly runId: string; readonly rows: StoredItem[] } | undefined>
  /** Expires every run of the partition but the live one: for an operator, when no run of it is in progress. */
  sweep(partition: string): Promise<number>
}

/** A run marker's sort key prefix; the pointer's sort key. Rows cannot take them: their keys are the run's own. */
const RUN = '#run#'
const LIVE = '#live'

/**
 * Partition replace beyond one transaction. A run writes its rows under its own run id (`name#partition#runId`),
 * as many as it likes, while readers keep reading the live run. Its completion switches the partition's pointer
 * item (`name#partition`, `#live`) to it, in one TransactWriteItems with the run's record, fenced by its claim.
 * Readers resolve the pointer, then query that run's rows. Once the switch has committed, the superseded run's
 * rows, and those of runs that crashed before it, get a TTL (`supersededTtlSeconds` ahead); the live run's rows
 * never carry one. Needs a `DynamoDBJobStore` job.
 *
 * - Re-run: replays the summary (no writes); forced, writes a new copy and switches to it: one run's rows.
 * - Crash midway: the pointer still names the last complete run; the crashed run's rows are read by nobody, and
 *   expire once the next run of the partition switches.
 * - Zombie: its switch rides on its completion, which the fence refuses once another run holds the partition;
 *   its rows are never pointed at.
 * - Two concurrent runs of one partition: the job lets one run, the other gets `PartitionBusyError`.
 *
 * @example
 * ```ts
 * const totals = dynamoDBPartitions({ client: documents, tableName: 'reports', name: 'daily-totals' })
 * const writer = await totals.begin(run)
 * await writer.write(rows.map((row) => ({ sk: row.currency, ...row })))
 * writer.publish()
 * ```
 */
export function dynamoDBPartitions(options: DynamoDBPartitionsOptions): DynamoDBPartitions {
  const { client, tableName, name } = options
  if (name === '' || name.includes('#'))
    throw new TypeError(`A partitioned data set needs a name without '#': ${name}`)
  const pk = options.partitionKey ?? 'pk'
  const sk = options.sortKey ?? 'sk'
  const ttl = options.ttlAttribute ?? 'expiresAt'
  const now = options.now ?? Date.now
  const pointerKey = (partition: string) => ({ [pk]: `${name}#${partition}`, [sk]: LIVE })
  const rowsKey = (partition: string, runId: string) => `${name}#${partition}#${runId}`

  async function liveRun(partition: string): Promise<string | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: pointerKey(partition), ConsistentRead: true }),
    )
    return Item?.runId as string | undefined
  }

  async function queryAll(partitionValue: string, prefix?: string): Promise<StoredItem[]> {
    const items: StoredItem[] = []
    let ExclusiveStartKey: Record<string, unknown> | undefined
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: prefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
          ExpressionAttributeNames: prefix ? { '#pk': pk, '#sk': sk } : { '#pk': pk },
          ExpressionAttributeValues: prefix
            ? { ':pk': partitionValue, ':prefix': prefix }
            : { ':pk': partitionValue },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      )
      items.push(...(page.Items ?? []))
      ExclusiveStartKey = page.LastEvaluatedKey
    } while (ExclusiveStartKey !== undefined)
    return items
  }

  /** Puts the runs' rows back with a TTL, then their markers: a sweep cut short is finished by the next one. */
  async function expire(partition: string, runIds: readonly string[]): Promise<number> {
    const expiresAt = Math.floor(now() / 1000) + (options.supersededTtlSeconds ?? 3_600)
    let expired = 0
    for (const runId of runIds) {
      const rows = (await queryAll(rowsKey(partition, runId))).filter((row) => row[ttl] === undefined)
      await batchPut(
        client,
        tableName,
        rows.map((row) => ({ ...row, [ttl]: expiresAt })),
      )
      const marker = { [pk]: `${name}#${partition}`, [sk]: `${RUN}${runId}`, runId, [ttl]: expiresAt }
      await client.send(new PutCommand({ TableName: tableName, Item: marker }))
      expired += rows.length
    }
    return expired
  }

  /** Runs registered but never expired, other than the live one and `except`. */
  async function unexpiredRuns(
    partition: string,
    live: string | undefined,
    except?: string,
  ): Promise<string[]> {
    const markers = await queryAll(`${name}#${partition}`, RUN)
    return markers
      .filter((marker) => marker[ttl] === undefined)
      .map((marker) => marker.runId as string)
      .filter((runId) => runId !== live && runId !== except)
  }

  async function begin(run: JobRun, partition = run.partition): Promise<PartitionWriter> {
    run.assertHeld()
    const live = await liveRun(partition)
    // This run holds the partition's claim, so every other run registered so far is over: crashed or superseded.
    const dead = await unexpiredRuns(partition, live, run.runId)
    // Registered before any row is written, so a sweep finds this run's rows even if it crashes after one put.
    const marker = {
      [pk]: `${name}#${partition}`,
      [sk]: `${RUN}${run.runId}`,
      runId: run.runId,
      startedAtMs: now(),
    }
    await client.send(new PutCommand({ TableName: tableName, Item: marker }))
    let published = false
    return {
      runId: run.runId,
      async write(rows) {
        run.assertHeld()
        const items = rows.map((given) => {
          const row = given as StoredItem
          if (typeof row[sk] !== 'string' || row[sk] === '' || (row[sk] as string).startsWith('#'))
            throw new TypeError(`Every row needs a string ${sk} that does not start with '#'`)
          return { ...row, [pk]: rowsKey(partition, run.runId) }
        })
        await batchPut(client, tableName, items)
      },
      publish() {
        if (published) throw new Error('This run has already published its partition')
        published = true
        // The pointer moves only from the run this one saw live: the job's claim already ensures it, and this
        // keeps a caller without one from switching over a run it never saw.
        dynamoDBJobWrites(run).add({
          Put: {
            TableName: tableName,
            Item: { ...pointerKey(partition), runId: run.runId, switchedAtMs: now() },
            ConditionExpression: live === undefined ? 'attribute_not_exists(#pk)' : 'runId = :live',
            ...(live === undefined
              ? { ExpressionAttributeNames: { '#pk': pk } }
              : { ExpressionAttributeValues: { ':live': live } }),
          },
        })
        run.afterCommit(async () => {
          await expire(partition, live === undefined ? dead : [live, ...dead])
        })
      },
    }
  }

  async function read(partition: string) {
    const runId = await liveRun(partition)
    if (runId === undefined) return undefined
    const rows = (await queryAll(rowsKey(partition, runId))).map(({ [pk]: _key, ...row }) => row)
    return { runId, rows }
  }

  async function sweep(partition: string): Promise<number> {
    const live = await liveRun(partition)
    return expire(partition, await unexpiredRuns(partition, live))
  }

  return { begin, read, sweep }
}

import { randomUUID } from 'node:crypto'
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { DAILY_TOTALS_KEYS } from '../functions/shared/daily-totals-schema.js'
import { dailyTotalsTableDefinition } from '../functions/shared/tables.js'
import { batchPut } from '../lib/pipelines/dynamodb/batch-write.js'
import { DynamoDBJobStore, dynamoDBPartitions } from '../lib/pipelines/dynamodb/index.js'
import { pipelineJob } from '../lib/pipelines/index.js'
import { idempotencyTableDefinition } from '../lib/testing/index.js'
import { createTables } from './dynamodb.js'
import {
  type BackendResult,
  BENCH_DAY,
  benchRows,
  PIPELINE_REPETITIONS,
  repeated,
  type StepResult,
  tally,
} from './pipelines.js'

/** Under `ReturnConsumedCapacity: 'TOTAL'` DynamoDB reports one total per table, read or write by the call. */
interface Capacity {
  readonly CapacityUnits?: number
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'])

/**
 * Counts every call on the client and the capacity it consumed. An SDK middleware at the initialize step (once
 * per `send`, before the SDK's own retries) asks each call for `ReturnConsumedCapacity: 'TOTAL'`, which the
 * library's helpers do not set, and adds up what DynamoDB reports. A refused conditional write reports nothing
 * but is billed one write unit (items under 1 KB), so each refusal adds one.
 */
function meter(client: DynamoDBClient) {
  const counted = { calls: [] as string[], writeUnits: 0, readUnits: 0, retried: 0 }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName?.replace(/Command$/, '') ?? 'unknown'
      counted.calls.push(name)
      const input = args.input as Record<string, unknown>
      input.ReturnConsumedCapacity = 'TOTAL'
      try {
        const result = await next(args)
        // Attempts past the first are the SDK's own retries (throttling, a dropped connection): not the library's.
        if (((result.output as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) > 1)
          counted.retried++
        const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity
        const units = [consumed ?? []]
          .flat()
          .reduce((sum, capacity) => sum + (capacity.CapacityUnits ?? 0), 0)
        if (READS.has(name)) counted.readUnits += units
        else counted.writeUnits += units
        return result
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') counted.writeUnits += 1
        throw error
      }
    },
    { step: 'initialize', name: 'benchPipelineMeter' },
  )
  return {
    counted,
    reset() {
      counted.calls.length = 0
      counted.writeUnits = 0
      counted.readUnits = 0
      counted.retried = 0
    },
  }
}

/** The idempotency table (the job's runs) and a reports table keyed as `dynamoDBPartitions` expects. */
async function createReportTables(config: DynamoDBClientConfig) {
  const suffix = randomUUID().slice(0, 8)
  return createTables(config, {
    jobs: idempotencyTableDefinition(`bench-jobs-${suffix}`),
    reports: dailyTotalsTableDefinition(`bench-reports-${suffix}`),
  })
}

/**
 * The four steps on DynamoDB, on a data set of their own (`name`): the job replaces the day through
 * `dynamoDBPartitions`; the naive job puts the same rows under fresh keys, as an append does.
 */
async function measureOnce(
  config: DynamoDBClientConfig,
  tables: { jobs: string; reports: string },
  name: string,
  sdk: { retried: number },
): Promise<StepResult[]> {
  const client = new DynamoDBClient(config)
  const counter = meter(client)
  // Readers count rows after each step through a client nothing meters.
  const readerClient = new DynamoDBClient(config)
  const reader = DynamoDBDocumentClient.from(readerClient)
  const rows = benchRows().map((row) => ({ [DAILY_TOTALS_KEYS.sortKey]: row.rowId, ...row }))
  const options = { tableName: tables.reports, name }
  const totals = dynamoDBPartitions({ ...options, client: DynamoDBDocumentClient.from(client) })
  const liveRows = dynamoDBPartitions({ ...options, client: reader })
  const job = pipelineJob<{ rows: number }>({
    store: new DynamoDBJobStore({ tableName: tables.jobs, client }),
    name,
  })
  const appendKey = `${name}-append#${BENCH_DAY}`
  const appendRun = () =>
    batchPut(
      DynamoDBDocumentClient.from(client),
      tables.reports,
      rows.map((row) => ({ ...row, [DAILY_TOTALS_KEYS.partitionKey]: appendKey, sk: randomUUID() })),
    )
  // A COUNT query still pages at 1 MB of items read: follow every page.
  const appendedRows = async () => {
    let count = 0
    let ExclusiveStartKey: Record<string, unknown> | undefined
    do {
      const page = await reader.send(
        new QueryCommand({
          TableName: tables.reports,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': DAILY_TOTALS_KEYS.partitionKey },
          ExpressionAttributeValues: { ':pk': appendKey },
          Select: 'COUNT',
          ExclusiveStartKey,
        }),
      )
      count += page.Count ?? 0
      ExclusiveStartKey = page.LastEvaluatedKey
    } while (ExclusiveStartKey !== undefined)
    return count
  }

  const step = async (
    stepName: StepResult['step'],
    work: () => Promise<string>,
    rowsAfter: () => Promise<number>,
  ): Promise<StepResult> => {
    counter.reset()
    const startedMs = performance.now()
    const outcome = await work()
    const ms = performance.now() - startedMs
    const { calls, writeUnits, readUnits, retried } = counter.counted
    sdk.retried += retried
    return {
      step: stepName,
      outcome,
      ms,
      calls: calls.length,
      callsByName: tally(calls),
      units: [writeUnits, readUnits],
      rowsAfter: await rowsAfter(),
    }
  }
  const replace = (force: boolean) => async () =>
    (
      await job.run({ partition: BENCH_DAY, force }, async (run) => {
        const writer = await totals.begin(run)
        await writer.write(rows)
        writer.publish()
        return { rows: rows.length }
      })
    ).kind
  const live = async () => (await liveRows.read(BENCH_DAY))?.rows.length ?? 0
  try {
    const steps = [
      await step('first run', replace(false), live),
      await step('re-run', replace(false), live),
      await step('forced re-run', replace(true), live),
    ]
    await appendRun()
    const append = async () => {
      await appendRun()
      return 'append'
    }
    steps.push(await step('append, run again', append, appendedRows))
    return steps
  } finally {
    client.destroy()
    readerClient.destroy()
  }
}

export async function measureDynamoDBPipelines(
  config: DynamoDBClientConfig,
  where: string,
): Promise<BackendResult> {
  const tables = await createReportTables(config)
  const sdk = { retried: 0 }
  const steps = await repeated(PIPELINE_REPETITIONS.dynamodb, (repetition) =>
    measureOnce(config, tables, `bench-totals-${repetition}`, sdk),
  )
  return {
    backend: 'DynamoDB, dynamoDBPartitions in a DynamoDBJobStore job',
    where,
    unitNames: ['write units', 'read units'],
    unitNotes: [
      "Units are what DynamoDB Local reports under `ReturnConsumedCapacity: 'TOTAL'`, which a meter adds to every call (the helpers do not ask for it), plus one write unit per refused conditional write (billed, not reported). Each row is under 1 KB: one write unit per put; a TransactWriteItems costs two per item.",
      "A forced re-run writes the day's new copy, then puts the superseded copy back with a TTL (1 h ahead): two writes per row. Until TTL removes it (free), the day's items are stored twice; readers see one copy.",
      'A re-run that replays costs a refused claim and one consistent read of the run: no row is read or written.',
      `Calls are those the library sent; the SDK retried ${sdk.retried} of them over all repetitions. Time is against DynamoDB Local on this machine, not a Region: read it as relative, not as latency in AWS.`,
    ],
    steps,
  }
}

import { randomUUID } from 'node:crypto'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb'
import { DynamoDBJobStore, dynamoDBPartitions } from '../../lib/pipelines/dynamodb/index.js'
import type { JobRun, JobStore } from '../../lib/pipelines/index.js'
import {
  DAILY_TOTALS_ENV,
  DAILY_TOTALS_JOB,
  DAILY_TOTALS_KEYS,
  PAYMENT_DAY_ATTRIBUTE,
  PAYMENTS_BY_DAY_INDEX,
} from './daily-totals-schema.js'
import { type Item, numeric, text } from './reads.js'
import { PAYMENTS_ENV, required } from './tables.js'

/** One currency's line of a day's settlement: how many payments succeeded, and their sum in minor units. */
export interface CurrencyTotal {
  readonly currency: string
  readonly count: number
  readonly amount: number
}

/**
 * Where the job reads a day's payments and writes its totals: DynamoDB (the deployed sample) or PostgreSQL
 * (`npm start -- --postgres`). The job itself (functions/handlers/daily-totals.ts) is the same over both.
 */
export interface DailyTotals {
  /** Where the job's runs are claimed, on the same database as the totals they commit with. */
  readonly store: JobStore
  /** The day's succeeded payments, totalled per currency, read through the payments' index by day. */
  totalsOf(day: string): Promise<CurrencyTotal[]>
  /**
   * Writes `rows` as the day's partition through the run's writes. `publish: false` stops before what makes
   * them visible (the pointer switch, the commit), as a run that dies after writing them.
   */
  write(run: JobRun, day: string, rows: readonly CurrencyTotal[], publish: boolean): Promise<void>
  /** The day's rows as readers see them, sorted by currency; none before a run of the day completed. */
  read(day: string): Promise<CurrencyTotal[]>
  /**
   * The counter-example, for the demo: what a job without a write pattern does. It adds `rows` to the day's
   * appended rows, so a second run doubles them. Never read by anything but `readAppended`.
   */
  append(day: string, rows: readonly CurrencyTotal[]): Promise<void>
  readAppended(day: string): Promise<CurrencyTotal[]>
}

export interface DynamoDBDailyTotalsTables {
  /** The idempotency table: it keeps the job's runs too. */
  readonly idempotency: string
  readonly payments: string
  /** The reports table: `pk`/`sk` strings, TTL on `expiresAt`. */
  readonly reports: string
}

/** The deployed job's tables and client, from the environment the CDK stack sets. */
export function dailyTotalsFromEnvironment(env: NodeJS.ProcessEnv = process.env): DailyTotals {
  const client = new DynamoDBClient({ endpoint: env[PAYMENTS_ENV.dynamodbEndpoint] || undefined })
  return dynamoDBDailyTotals(client, {
    idempotency: required(env, PAYMENTS_ENV.idempotencyTable),
    payments: required(env, DAILY_TOTALS_ENV.paymentsTable),
    reports: required(env, DAILY_TOTALS_ENV.reportsTable),
  })
}

/**
 * On DynamoDB: a day's payments are queried from the `byDay` index, page by page, never scanned; its totals
 * replace the day behind a pointer (`dynamoDBPartitions`), switched in the transaction that completes the run.
 */
export function dynamoDBDailyTotals(client: DynamoDBClient, tables: DynamoDBDailyTotalsTables): DailyTotals {
  // The low-level client, not a DocumentClient: the job store wraps it in one of its own.
  const documents = DynamoDBDocumentClient.from(client)
  const { partitionKey: pk, sortKey: sk } = DAILY_TOTALS_KEYS
  const reports = dynamoDBPartitions({
    client: documents,
    tableName: tables.reports,
    name: DAILY_TOTALS_JOB,
    ...DAILY_TOTALS_KEYS,
  })
  return {
    store: new DynamoDBJobStore({ tableName: tables.idempotency, client }),
    async totalsOf(day) {
      return totalsOfPayments(await paymentsOfDay(documents, tables.payments, day))
    },
    async write(run, day, rows, publish) {
      const writer = await reports.begin(run, day)
      await writer.write(rows.map((row) => ({ [sk]: row.currency, ...row })))
      if (publish) writer.publish()
    },
    async read(day) {
      return sortedByCurrency(((await reports.read(day))?.rows ?? []).map(totalOfItem))
    },
    async append(day, rows) {
      // A fresh sort key per row and run: nothing ever tells a second run's rows from the first's.
      for (const row of rows)
        await documents.send(
          new PutCommand({
            TableName: tables.reports,
            Item: { [pk]: `${APPENDED}#${day}`, [sk]: `${row.currency}#${randomUUID()}`, ...row },
          }),
        )
    },
    async readAppended(day) {
      const items = await queryAll(documents, {
        TableName: tables.reports,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': pk },
        ExpressionAttributeValues: { ':pk': `${APPENDED}#${day}` },
        ConsistentRead: true,
      })
      return sortedByCurrency(items.map(totalOfItem))
    },
  }
}

/** The appended counter-example's data set in the reports table, beside the job's own. */
const APPENDED = `${DAILY_TOTALS_JOB}-append`

const totalOfItem = (row: Item): CurrencyTotal => ({
  currency: text(row.currency),
  count: numeric(row.count),
  amount: numeric(row.amount),
})

/**
 * The day's payments as the index projects them. A global secondary index is eventually consistent: a payment
 * of the last second may be missing. The schedule runs for yesterday, long settled; a backfill or a forced run
 * picks up anything late.
 */
function paymentsOfDay(documents: DynamoDBDocumentClient, table: string, day: string): Promise<Item[]> {
  return queryAll(documents, {
    TableName: table,
    IndexName: PAYMENTS_BY_DAY_INDEX,
    KeyConditionExpression: '#day = :day',
    ExpressionAttributeNames: { '#day': PAYMENT_DAY_ATTRIBUTE },
    ExpressionAttributeValues: { ':day': day },
  })
}

/** Every page of a query: a day past 1 MB of index entries comes in several. */
async function queryAll(documents: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = []
  let ExclusiveStartKey: Item | undefined
  do {
    const page = await documents.send(new QueryCommand({ ...input, ExclusiveStartKey }))
    items.push(...(page.Items ?? []))
    ExclusiveStartKey = page.LastEvaluatedKey
  } while (ExclusiveStartKey !== undefined)
  return items
}

/** A total past 2^53 cannot be a JavaScript number: fail rather than write a rounded settlement. */
export class TotalOutOfRangeError extends RangeError {
  constructor(currency: string) {
    super(`The ${currency} total is past what a number holds exactly (2^53 - 1 minor units)`)
    this.name = 'TotalOutOfRangeError'
  }
}

/** Succeeded payments only (a declined card moved no money), per currency, sorted by currency. */
export function totalsOfPayments(payments: readonly Item[]): CurrencyTotal[] {
  const totals = new Map<string, { count: number; amount: number }>()
  for (const payment of payments) {
    if (payment.status !== 'succeeded') continue
    const currency = text(payment.currency)
    const total = totals.get(currency) ?? { count: 0, amount: 0 }
    total.count += 1
    total.amount += numeric(payment.amount)
    if (!Number.isSafeInteger(total.amount)) throw new TotalOutOfRangeError(currency)
    totals.set(currency, total)
  }
  return sortedByCurrency([...totals].map(([currency, total]) => ({ currency, ...total })))
}

/** By code unit, as PostgreSQL's `COLLATE "C"` sorts: the same order on both backends. */
export const sortedByCurrency = (rows: CurrencyTotal[]): CurrencyTotal[] =>
  rows.sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0))

import { randomUUID } from 'node:crypto'
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import type pg from 'pg'
import {
  type CurrencyTotal,
  type DailyTotals,
  dynamoDBDailyTotals,
} from '../../functions/shared/daily-totals.js'
import {
  ensurePostgresDailyTotalsTables,
  postgresDailyTotals,
} from '../../functions/shared/daily-totals-postgres.js'
import type { Payment } from '../../functions/shared/payments.js'
import { paymentPut } from '../../functions/shared/payments.js'
import { ensurePostgresPaymentTables } from '../../functions/shared/postgres-payments.js'
import { dailyTotalsTableDefinition, paymentsTableDefinition } from '../../functions/shared/tables.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { createTestSchema, dropTestSchema } from '../support/postgres.js'

/** One backend of the job: its totals over fresh tables, and a way to record payments as the sample does. */
export interface JobBackend {
  readonly totals: DailyTotals
  /** Records payments as create-payment leaves them: the DynamoDB item, or the PostgreSQL row. */
  pay(payments: readonly Payment[]): Promise<void>
  /** Drops what it made, for a database that outlives the run. */
  drop(): Promise<void>
}

/** DynamoDB Local: the idempotency table (the job's runs), payments with their index by day, the reports. */
export async function dynamoDBBackend(): Promise<JobBackend> {
  const client = testDynamoDBClient()
  const documents = DynamoDBDocumentClient.from(client)
  const [idempotency, payments, reports] = await Promise.all([
    createIdempotencyTestTable(client, 'jobs-idem'),
    createTestTable(client, paymentsTableDefinition('_'), 'jobs-payments'),
    createTestTable(client, dailyTotalsTableDefinition('_'), 'jobs-reports'),
  ])
  return {
    totals: dynamoDBDailyTotals(client, { idempotency, payments, reports }),
    drop: async () => client.destroy(),
    async pay(list) {
      // The item create-payment commits with its record: `paymentPut` builds it, with its `day`.
      for (const payment of list) {
        const { Put } = paymentPut(payments, payment)
        await documents.send(new PutCommand(Put as NonNullable<typeof Put>))
      }
    },
  }
}

/** PostgreSQL, in a schema of its own: the sample's payments table (its `day` column and index) and the job's. */
export async function postgresBackend(pool: pg.Pool): Promise<JobBackend> {
  const schema = await createTestSchema(pool, 'jobs')
  const tables = {
    payments: `${schema}.payments`,
    dailyTotals: `${schema}.daily_totals`,
    pipelineRuns: `${schema}.pipeline_runs`,
  }
  await ensurePostgresPaymentTables(pool, { idempotency: `${schema}.idempotency_records`, ...tables })
  await ensurePostgresDailyTotalsTables(pool, tables)
  return {
    totals: postgresDailyTotals(pool, tables),
    drop: () => dropTestSchema(pool, schema),
    async pay(list) {
      for (const p of list)
        await pool.query(
          `INSERT INTO ${tables.payments} (payment_id, owner, status, amount, currency, charge_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [p.paymentId, p.owner, p.status, p.amount, p.currency, p.chargeId, p.createdAt],
        )
    },
  }
}

/**
 * A day's payments: several currencies, a declined one, and the day's first and last millisecond in UTC, with
 * neighbours just outside it (and one instant written with an offset) that belong to the days around it.
 */
export function paymentsAround(date: string): Payment[] {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  const sale = (
    amount: number,
    currency: string,
    createdAt: string,
    status: Payment['status'] = 'succeeded',
  ) => {
    const id = randomUUID()
    return {
      paymentId: `pay_${id}`,
      owner: 'asha',
      status,
      amount,
      currency,
      chargeId: `ch_${id}`,
      createdAt,
    }
  }
  return [
    sale(6_000_000, 'INR', `${date}T00:00:00.000Z`),
    sale(250_000, 'INR', `${date}T09:15:00.000Z`),
    sale(402, 'INR', `${date}T10:00:00.000Z`, 'declined'),
    sale(1_999, 'EUR', `${date}T12:00:00.000Z`),
    sale(12_345, 'USD', `${date}T23:59:59.999Z`),
    sale(500, 'EUR', `${next}T05:29:59.000+05:30`), // 23:59:59 UTC: still `date`
    sale(700, 'USD', `${next}T00:00:00.000Z`), // the next day
    sale(900, 'GBP', `${date}T01:00:00.000+05:30`), // 19:30 UTC the day before
  ]
}

/**
 * What one clean run must write, computed here from the payments themselves, not by the job's code: per
 * currency, the succeeded payments whose instant falls on `date` in UTC.
 */
export function expectedTotals(payments: readonly Payment[], date: string): CurrencyTotal[] {
  const totals: Record<string, { count: number; amount: number }> = {}
  for (const payment of payments) {
    if (payment.status !== 'succeeded') continue
    if (new Date(payment.createdAt).toISOString().slice(0, 10) !== date) continue
    const total = totals[payment.currency] ?? { count: 0, amount: 0 }
    totals[payment.currency] = { count: total.count + 1, amount: total.amount + payment.amount }
  }
  return Object.keys(totals)
    .sort()
    .map((currency) => ({ currency, ...(totals[currency] as { count: number; amount: number }) }))
}

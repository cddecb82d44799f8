import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'

/** Plain JavaScript items over a test client; `undefined` attributes are dropped, as most apps configure it. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } })
}

/** One row of the daily totals the tests write: per currency, how many payments and how much, in cents. */
export interface TotalsRow {
  readonly day: string
  readonly currency: string
  readonly payments: number
  readonly amount_cents: number
}

/** Four currencies with counts that differ by date, so a row written for the wrong date shows. */
export function totalsFor(date: string): TotalsRow[] {
  const dayOfMonth = Number(date.slice(8, 10))
  return ['EUR', 'GBP', 'JPY', 'USD'].map((currency, index) => ({
    day: date,
    currency,
    payments: dayOfMonth * (index + 1),
    amount_cents: dayOfMonth * 1_000 + index,
  }))
}

/** The daily totals table, with no unique key: a duplicate row shows as a row, as in most warehouse tables. */
export const TOTALS_COLUMNS =
  'day date NOT NULL, currency text NOT NULL, payments integer NOT NULL, amount_cents integer NOT NULL'

/** The totals of one date as a reader selects them, in the rows' own shape. */
export const SELECT_TOTALS = (table: string) =>
  `SELECT to_char(day, 'YYYY-MM-DD') AS day, currency, payments, amount_cents FROM ${table} WHERE day = $1`

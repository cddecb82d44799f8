/**
 * The names the daily settlement totals job shares with the CDK stack and the local API: the payments table's
 * index by day, the reports table it replaces one day of, and the environment that names them. One module, so
 * the deployed stack, the local tables and the job cannot disagree on a name.
 */

/** The payments table's global secondary index the job reads one UTC day through, never a scan. */
export const PAYMENTS_BY_DAY_INDEX = 'byDay'
/** Every payment's UTC day (`YYYY-MM-DD`, from `createdAt`): the index's partition key. */
export const PAYMENT_DAY_ATTRIBUTE = 'day'
/** The index's sort key: the payment's own partition key, so a day's payments page in a stable order. */
export const PAYMENTS_BY_DAY_SORT_KEY = 'paymentId'
/** What the index projects besides its keys: all the job reads, so no read goes back to the table. */
export const PAYMENTS_BY_DAY_PROJECTION = ['status', 'amount', 'currency'] as const

/** The reports table: `dynamoDBPartitions`' default key and TTL names (`pk`, `sk`, `expiresAt`). */
export const DAILY_TOTALS_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const
/** The data set's name in the reports table and the job's name in the idempotency table. */
export const DAILY_TOTALS_JOB = 'daily-totals'

/** The job's environment; the idempotency table (`IDEMPOTENCY_TABLE_NAME`) also holds its runs. */
export const DAILY_TOTALS_ENV = {
  paymentsTable: 'PAYMENTS_TABLE_NAME',
  reportsTable: 'DAILY_TOTALS_TABLE_NAME',
} as const

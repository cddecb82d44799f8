import type { Context } from 'aws-lambda'
import { migrate, type PostgresPool, PostgresStore, postgresTransactionOf } from '../../lib/postgres/index.js'
import type { PaymentRecords } from './payment-records.js'
import type { Payment } from './payments.js'

/** The two tables create-payment uses on PostgreSQL: `name` or `schema.name` each. */
export interface PostgresPaymentTables {
  readonly idempotency: string
  readonly payments: string
}

export const DEFAULT_POSTGRES_PAYMENT_TABLES: PostgresPaymentTables = {
  idempotency: 'idempotency_records',
  payments: 'payments',
}

/** The idempotency table (the library's migration) and the payments table, if missing. */
export async function ensurePostgresPaymentTables(pool: PostgresPool, tables: PostgresPaymentTables) {
  await migrate(pool, { tableName: tables.idempotency })
  await pool.query(`CREATE TABLE IF NOT EXISTS ${tables.payments} (
  payment_id text PRIMARY KEY,
  owner text NOT NULL,
  status text NOT NULL CHECK (status IN ('succeeded', 'declined')),
  amount bigint NOT NULL,
  currency text NOT NULL,
  description text,
  charge_id text NOT NULL,
  created_at timestamptz NOT NULL
)`)
  await ensurePaymentsByDay(pool, tables.payments)
}

/**
 * The payment's UTC day, computed by the server from `created_at` (no writer can set it wrong), and an index on
 * it: the daily totals job reads one day's payments through it. Added to a table made before it existed too.
 */
async function ensurePaymentsByDay(pool: PostgresPool, payments: string) {
  await pool.query(`ALTER TABLE ${payments}
  ADD COLUMN IF NOT EXISTS day date GENERATED ALWAYS AS ((created_at AT TIME ZONE 'UTC')::date) STORED`)
  // An index name takes no schema: it lives in its table's.
  const bare = payments.split('.').at(-1) as string
  await pool.query(`CREATE INDEX IF NOT EXISTS ${bare}_by_day ON ${payments} (day, status)`)
}

interface PaymentRow {
  readonly payment_id: string
  readonly owner: string
  readonly status: string
  readonly amount: string
  readonly currency: string
  readonly description: string | null
  readonly charge_id: string
  readonly created_at: Date
}

/**
 * PostgreSQL: the payment row is inserted through the invocation's transaction, which commits with the stored
 * answer. The table names are the operator's, never a request's; they are spliced into the SQL as given.
 */
export function postgresPaymentRecords(pool: PostgresPool, tables: PostgresPaymentTables): PaymentRecords {
  return {
    store: new PostgresStore({ pool, tableName: tables.idempotency }),
    async find(paymentId) {
      const { rows } = await pool.query(`SELECT * FROM ${tables.payments} WHERE payment_id = $1`, [paymentId])
      return rows[0] === undefined ? undefined : paymentFromRow(rows[0] as PaymentRow)
    },
    async record(payment: Payment, context: Context) {
      // The id derives from the idempotency key: a conflict is a zombie of this very request, whose completion
      // is refused and rolls this statement back with it. It must not fail first with a raw unique violation.
      await postgresTransactionOf(context).query(
        `INSERT INTO ${tables.payments} (payment_id, owner, status, amount, currency, description, charge_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (payment_id) DO NOTHING`,
        [
          payment.paymentId,
          payment.owner,
          payment.status,
          payment.amount,
          payment.currency,
          payment.description ?? null,
          payment.chargeId,
          payment.createdAt,
        ],
      )
    },
  }
}

function paymentFromRow(row: PaymentRow): Payment {
  return {
    paymentId: row.payment_id,
    owner: row.owner,
    status: row.status === 'declined' ? 'declined' : 'succeeded',
    amount: Number(row.amount),
    currency: row.currency,
    ...(row.description === null ? {} : { description: row.description }),
    chargeId: row.charge_id,
    createdAt: new Date(row.created_at).toISOString(),
  }
}

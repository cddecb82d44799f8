import pg from 'pg'
import { makeIdempotent } from '../../lib/index.js'
import { PostgresStore, postgresTransactionOf } from '../../lib/postgres/index.js'

/**
 * A Lambda that crashes between its own SQL and the completion: it inserts the business row through the
 * idempotency transaction, says so on stdout, and waits to be killed (test/postgres/crash.test.ts).
 */
const env = (name: string): string => {
  const value = process.env[name]
  if (!value) throw new Error(`postgres-crash-child needs ${name}`)
  return value
}

const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 2 })
const businessTable = env('CRASH_BUSINESS_TABLE')
const handler = makeIdempotent(
  async (event: { paymentId: string }, context: object) => {
    await postgresTransactionOf(context).query(`INSERT INTO ${businessTable} (payment_id) VALUES ($1)`, [
      event.paymentId,
    ])
    process.stdout.write('inserted\n')
    await new Promise(() => undefined)
    return { paymentId: event.paymentId }
  },
  {
    store: new PostgresStore({ pool, tableName: env('CRASH_IDEMPOTENCY_TABLE') }),
    key: (event) => event.paymentId,
    namespace: env('CRASH_NAMESPACE'),
    leaseMs: Number(env('CRASH_LEASE_MS')),
  },
)

await handler({ paymentId: env('CRASH_PAYMENT_ID') }, { functionName: 'crash' })

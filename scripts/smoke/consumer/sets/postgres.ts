import { makeIdempotent } from 'lambda-idempotency'
import { migrate, PostgresStore, postgresTransactionOf } from 'lambda-idempotency/postgres'
import pg from 'pg'

// The PostgreSQL store on the application's own pool, with own writes in the completion's transaction.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })

export const ready = migrate(pool)
export const handler = makeIdempotent(
  async (event: { orderId: string }, context: { functionName: string }) => {
    await postgresTransactionOf(context).query('INSERT INTO orders (id) VALUES ($1)', [event.orderId])
    return { placed: event.orderId }
  },
  { store: new PostgresStore({ pool }), key: (event) => event.orderId },
)

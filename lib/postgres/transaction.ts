import { idempotencyOf } from '../invocation.js'
import { isPostgresTransaction, type PostgresTransaction } from './lazy-transaction.js'

/**
 * The transaction of the PostgreSQL-backed invocation running with this context, to write business rows through:
 * they commit with the stored result or not at all. Throws outside a wrapped handler that holds its key, or when
 * the wrapper's store is not a `PostgresStore`.
 */
export function postgresTransactionOf(context: object): PostgresTransaction {
  const handle = idempotencyOf(context)
  if (handle === undefined)
    throw new Error(
      'postgresTransactionOf(context) needs the context of a handler wrapped with lambda-idempotency that holds its key; pass the handler its own context',
    )
  const ownWrites = handle.ownWrites<unknown>()
  if (!isPostgresTransaction(ownWrites))
    throw new TypeError("postgresTransactionOf(context) needs a PostgresStore as the wrapper's store")
  return ownWrites
}

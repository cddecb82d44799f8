import {
  isPostgresTransaction,
  PostgresTransaction as PostgresRunTransaction,
} from '../../postgres/lazy-transaction.js'
import type { JobRun } from '../job.js'

/**
 * A run writes its partition through the same transaction a `PostgresStore` handler writes its rows through: it
 * begins on the first `query`, on a client of the job store's pool, commits with the run's record or rolls back
 * with everything else, and refuses every statement once the run's lease has ended (its claim's `assertWritable`).
 */
export { PostgresRunTransaction }

/**
 * The transaction a run of a `PostgresJobStore` job writes its partition through: it commits with the run's
 * record, or not at all, and refuses every statement once the run's lease has ended. Throws when the job's
 * store is not a `PostgresJobStore`.
 *
 * @example
 * ```ts
 * await replacePartition(postgresJobTransaction(run), { table: 'daily_totals', partition: { day } }, rows)
 * ```
 */
export function postgresJobTransaction(run: JobRun): PostgresRunTransaction {
  const writes = run.writes<unknown>()
  if (!isPostgresTransaction(writes))
    throw new TypeError("postgresJobTransaction(run) needs a PostgresJobStore as the job's store")
  return writes
}

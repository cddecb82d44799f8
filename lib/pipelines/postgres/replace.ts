import { quotedTableName } from '../../postgres/schema.js'
import { insertRows, inTransaction, type PostgresQueryable, quotedColumn, type Row } from './sql.js'

export interface ReplacePartitionOptions {
  /** The table, `name` or `schema.name`. */
  readonly table: string
  /** The partition's columns and values, e.g. `{ day: '2024-01-15' }`: every row of it, and only them, is replaced. */
  readonly partition: Readonly<Record<string, unknown>>
  /** @default 5000 */
  readonly rowsPerStatement?: number
}

/**
 * Partition replace: `DELETE` the partition's rows, then `INSERT` `rows` (many per statement, typed by the
 * table), in one transaction: readers see the old partition or the new one, never half of it, never both. The
 * rows' partition columns are filled from `partition`; a row naming another value is refused before anything is
 * written. A transaction-scoped advisory lock on (table, partition) makes two replaces of one partition take
 * turns, so even without a job they never interleave into duplicates. Returns the rows deleted and inserted.
 *
 * - Re-run: deletes the rows it wrote before and writes the same again: the partition equals one clean run.
 * - Crash midway: the transaction never commits; the old partition stays whole until a re-run replaces it.
 * - Zombie: through the job's transaction (`postgresJobTransaction(run)`), its statements are refused once its
 *   lease ends and its commit by the fence; a later run's partition stands.
 * - Two concurrent runs of one partition: the job lets one run; without it, the lock makes the second wait and
 *   then replace the first's rows: one run's rows, never both.
 *
 * The delete is row by row: for partitions of millions of rows, a table partitioned by the same column lets a run
 * fill a new table and exchange it for the old partition instead (docs/pipelines.md shows how).
 *
 * @example
 * ```ts
 * await replacePartition(postgresJobTransaction(run), { table: 'daily_totals', partition: { day } }, totals)
 * ```
 */
export async function replacePartition(
  target: PostgresQueryable,
  options: ReplacePartitionOptions,
  rows: readonly Row[],
): Promise<{ deleted: number; inserted: number }> {
  const table = quotedTableName(options.table)
  const entries = Object.entries(options.partition)
  if (entries.length === 0) throw new TypeError('replacePartition needs the partition: at least one column')
  const filled = rows.map((row) => inPartition(row, entries))
  const where = entries.map(([column], index) => `${quotedColumn(column)} = $${index + 1}`).join(' AND ')
  const values = entries.map(([, value]) => sqlValue(value))
  return inTransaction(target, async (transaction) => {
    const lockName = JSON.stringify([table, values])
    await transaction.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockName])
    const { rowCount } = await transaction.query(`DELETE FROM ${table} WHERE ${where}`, values)
    const inserted = await insertRows(transaction, table, filled, {
      rowsPerStatement: options.rowsPerStatement,
    })
    return { deleted: rowCount ?? 0, inserted }
  })
}

function inPartition(given: Row, entries: readonly [string, unknown][]): Row {
  const row = given as Readonly<Record<string, unknown>>
  const filled: Record<string, unknown> = { ...row }
  for (const [column, value] of entries) {
    if (
      row[column] !== undefined &&
      JSON.stringify(sqlValue(row[column])) !== JSON.stringify(sqlValue(value))
    )
      throw new RangeError(
        `A row has ${column} = ${JSON.stringify(sqlValue(row[column]))}, outside the partition being replaced (${JSON.stringify(sqlValue(value))})`,
      )
    filled[column] = value
  }
  return filled
}

/** Partition values as parameters: bigint as its digits, as `pg` would send it. */
const sqlValue = (value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value)

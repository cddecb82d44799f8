import { quotedTableName } from '../../postgres/schema.js'
import { columnsOf, insertRows, type PostgresQueryable, quotedColumn, type Row } from './sql.js'

export interface MergeRowsOptions {
  /** The table, `name` or `schema.name`. */
  readonly table: string
  /** The natural key's columns: a primary key or unique index must cover exactly these. */
  readonly key: readonly string[]
  /** @default 5000 */
  readonly rowsPerStatement?: number
}

/**
 * Merge (upsert) on a natural key: `INSERT … ON CONFLICT (key) DO UPDATE`, many rows per statement. A row whose
 * key exists is updated in place, only when a value differs (no dead tuples for unchanged rows); a new key is
 * inserted; rows absent from `rows` stay. Two rows with one key in `rows`: the last wins. Returns the rows
 * inserted or changed.
 *
 * - Re-run: the same rows, the same table; unchanged rows are not even rewritten.
 * - Crash midway: in a transaction (the job's), nothing committed, and the re-run merges all; with a pool,
 *   each statement commits alone, and the re-run merges the rest over what landed: the same end state.
 * - Zombie: through the job's transaction, its statements are refused once its lease ends, and its commit is
 *   refused by the fence. Merged outside one, a late run overwrites newer values (last writer wins).
 * - Two concurrent runs of one partition: the job lets one run; without it, both merge and the last commit wins
 *   per row, never a duplicate.
 *
 * @example
 * ```ts
 * await mergeRows(postgresJobTransaction(run), { table: 'customers', key: ['customer_id'] }, changedCustomers)
 * ```
 */
export async function mergeRows(
  transaction: PostgresQueryable,
  options: MergeRowsOptions,
  rows: readonly Row[],
): Promise<number> {
  const table = quotedTableName(options.table)
  if (options.key.length === 0) throw new TypeError('mergeRows needs the natural key: at least one column')
  const key = options.key.map(quotedColumn)
  const unique = lastPerKey(rows, options.key)
  const updated = columnsOf(unique)
    .filter((column) => !options.key.includes(column))
    .map(quotedColumn)
  // Only a row whose values differ is rewritten: a re-run of unchanged data costs reads, not writes.
  const conflict =
    updated.length === 0
      ? ` ON CONFLICT (${key.join(', ')}) DO NOTHING`
      : ` ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${updated.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
  WHERE (${updated.map((c) => `target.${c}`).join(', ')}) IS DISTINCT FROM (${updated.map((c) => `EXCLUDED.${c}`).join(', ')})`
  return insertRows(transaction, table, unique, { rowsPerStatement: options.rowsPerStatement, conflict })
}

/** ON CONFLICT DO UPDATE refuses to touch one row twice in a statement: keep each key's last row. */
function lastPerKey(rows: readonly Row[], key: readonly string[]): Row[] {
  const byKey = new Map<string, Row>()
  for (const given of rows) {
    const row = given as Readonly<Record<string, unknown>>
    const missing = key.filter((column) => row[column] === undefined)
    if (missing.length > 0) throw new TypeError(`A row lacks its key column(s) ${missing.join(', ')}`)
    const id = JSON.stringify(
      key.map((column) => row[column]),
      (_name, value) => (typeof value === 'bigint' ? `${value}n` : value),
    )
    byKey.delete(id)
    byKey.set(id, row)
  }
  return [...byKey.values()]
}

import { asError } from '../../postgres/lazy-transaction.js'
import type { PostgresPool, PostgresQueryResult } from '../../postgres/pool.js'

/**
 * What the helpers write through: a transaction (`postgresJobTransaction(run)`, `postgresTransactionOf(context)`,
 * a pooled client after `BEGIN`), or a pool, in which case each helper opens and commits a transaction of its own.
 */
export interface PostgresQueryable {
  // biome-ignore lint/suspicious/noExplicitAny: pg types rows as any; callers name their own row type.
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult<any>>
}

/**
 * A row as the helpers take it: any object of column names to values (JSON-able; bigint, Date and bytes are
 * converted). An interface of your own fits.
 */
export type Row = object

/** PostgreSQL's identifier limit; longer names would be silently truncated. */
export const MAX_IDENTIFIER_BYTES = 63
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** A column name as SQL: checked (it is spliced into statements) and quoted. */
export function quotedColumn(name: string): string {
  if (!IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER_BYTES)
    throw new TypeError(
      `PostgreSQL column name ${JSON.stringify(name)} must be letters, digits and underscores, at most ${MAX_IDENTIFIER_BYTES} characters`,
    )
  return `"${name}"`
}

/**
 * A statement per this many rows: each carries its rows as one jsonb parameter of a few MB at most, so 10,000
 * rows take two round trips, not 10,000, and no statement nears the protocol's 65,535-parameter cap.
 */
export const DEFAULT_ROWS_PER_STATEMENT = 5_000

/** Runs `work` in the caller's transaction, or, given a pool, in one of its own that commits when `work` ends. */
export async function inTransaction<T>(
  target: PostgresQueryable,
  work: (transaction: PostgresQueryable) => Promise<T>,
): Promise<T> {
  const pool = target as Partial<PostgresPool>
  if (typeof pool.connect !== 'function') return work(target)
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    client.release()
    return result
  } catch (error) {
    // Closing the connection rolls the transaction back as surely as ROLLBACK, whatever state it is in.
    client.release(asError(error))
    throw error
  }
}

/** The columns the rows name, in first-seen order: the statement leaves every other column to its default. */
export function columnsOf(rows: readonly Row[]): string[] {
  const columns = new Set<string>()
  for (const row of rows) for (const name of Object.keys(row)) columns.add(name)
  return [...columns]
}

/**
 * Inserts `rows` in statements of `rowsPerStatement`, each `INSERT … SELECT … FROM jsonb_populate_recordset`:
 * the table's own column types convert the values, so no type list is needed. `conflict` is appended to each
 * statement (`ON CONFLICT …`). Returns the rows the statements reported.
 */
export async function insertRows(
  transaction: PostgresQueryable,
  table: string,
  rows: readonly Row[],
  options: { rowsPerStatement?: number; conflict?: string } = {},
): Promise<number> {
  if (rows.length === 0) return 0
  const columns = columnsOf(rows).map(quotedColumn).join(', ')
  const step = options.rowsPerStatement ?? DEFAULT_ROWS_PER_STATEMENT
  let written = 0
  for (let start = 0; start < rows.length; start += step) {
    const chunk = JSON.stringify(rows.slice(start, start + step), jsonValue)
    const { rowCount } = await transaction.query(
      `INSERT INTO ${table} AS target (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)${options.conflict ?? ''}`,
      [chunk],
    )
    written += rowCount ?? 0
  }
  return written
}

/** Values JSON cannot carry as they are: bigint as its digits, bytes as bytea's hex text. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`
  if (isSerializedBuffer(value)) return `\\x${Buffer.from(value.data).toString('hex')}`
  return value
}

/** `JSON.stringify` calls a Buffer's own `toJSON` before the replacer sees it. */
const isSerializedBuffer = (value: unknown): value is { type: 'Buffer'; data: number[] } =>
  typeof value === 'object' &&
  value !== null &&
  (value as { type?: unknown }).type === 'Buffer' &&
  Array.isArray((value as { data?: unknown }).data)

/** The SQLSTATE of a driver error, or ''. */
export const sqlState = (error: unknown): string => {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : ''
}

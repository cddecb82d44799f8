import { backOff } from '../../backoff.js'
import { quotedTableName } from '../../postgres/schema.js'
import {
  insertRows,
  inTransaction,
  MAX_IDENTIFIER_BYTES,
  type PostgresQueryable,
  type Row,
  sqlState,
} from './sql.js'

export interface ViewSwapOptions {
  /** The view readers query, `name` or `schema.name`; each run's table is created beside it. */
  readonly view: string
  /** A table whose columns, defaults, constraints and indexes every run's table copies (`LIKE … INCLUDING ALL`). */
  readonly like: string
  /**
   * How long the switch may wait for the view's lock, in milliseconds, per attempt: readers that started before
   * it hold the view, and a switch that queued behind them would hold every reader after it. @default 2000
   */
  readonly lockTimeoutMs?: number
  /** Attempts at the switch before its lock timeout is raised to the caller. @default 5 */
  readonly attempts?: number
}

/** A switch that keeps timing out waits this long more on each attempt (250, 500, 1000 ms...). */
const FIRST_RETRY_DELAY_MS = 250

export interface ViewSwap {
  /** Creates this run's table (empty, shaped like `like`) and returns its name, to fill with `fill` or your SQL. */
  stage(transaction: PostgresQueryable, runId: string): Promise<string>
  /** Inserts rows into the staged table, many per statement. Returns how many. */
  fill(transaction: PostgresQueryable, staged: string, rows: readonly Row[]): Promise<number>
  /**
   * Points the view at `staged`, in one short step under `lock_timeout`, retried on a timeout. Returns the table
   * it pointed at before, if any. Make it the run's last statement: its lock is held until the commit.
   */
  swap(transaction: PostgresQueryable, staged: string): Promise<string | undefined>
  /** Drops every run table of this view but the one it shows (superseded, or left by a crash). Returns how many. */
  dropSuperseded(target: PostgresQueryable): Promise<number>
}

/**
 * Atomic swap: a run builds a whole new table while readers keep reading the old one through a view, then the
 * view is repointed (`CREATE OR REPLACE VIEW`) in one short step: readers see the old table or the new one,
 * never a half-written state, and nothing waits on the build.
 *
 * Why not `ALTER TABLE … RENAME`: the rename takes ACCESS EXCLUSIVE on both tables, and while it waits for the
 * readers in flight every new reader queues behind it; and views, foreign keys and grants follow the table, not
 * the name, so they keep pointing at the old table. The view's own switch takes its lock only for a catalog
 * update, under `lock_timeout`, and is retried rather than left to queue readers.
 *
 * - Re-run: stages and fills a fresh table and switches to it: the view shows one clean run.
 * - Crash midway: in the job's transaction, the staged table is rolled back with everything else; the view
 *   still shows the last complete run.
 * - Zombie: its statements are refused once its lease ends, and its commit by the fence.
 * - Two concurrent runs of one partition: the job lets one run. Without it, the second switch waits for the
 *   first's commit (the view's lock), then repoints: the last commit shows, and it is one whole run.
 *
 * @example
 * ```ts
 * const totals = postgresViewSwap({ view: 'daily_totals', like: 'daily_totals_shape' })
 * const transaction = postgresJobTransaction(run)
 * const staged = await totals.stage(transaction, run.runId)
 * await totals.fill(transaction, staged, rows)
 * await totals.swap(transaction, staged)
 * run.afterCommit(async () => void (await totals.dropSuperseded(pool)))
 * ```
 */
export function postgresViewSwap(options: ViewSwapOptions): ViewSwap {
  const view = quotedTableName(options.view)
  const like = quotedTableName(options.like)
  const parts = options.view.split('.')
  const viewName = parts[parts.length - 1] as string
  const schema = parts.length === 2 ? quotedTableName(parts[0] as string) : undefined
  /** Run tables are named `<view>__<12 hex of the run id>`: within PostgreSQL's 63-byte limit, and findable. */
  const prefix = `${viewName}__`
  if (prefix.length + 12 > MAX_IDENTIFIER_BYTES)
    throw new TypeError(
      `The view name ${viewName} is too long to name its run tables after (at most 49 characters)`,
    )
  const lockTimeoutMs = options.lockTimeoutMs ?? 2_000
  const attempts = options.attempts ?? 5
  const qualified = (name: string) => (schema === undefined ? `"${name}"` : `${schema}."${name}"`)

  async function stage(transaction: PostgresQueryable, runId: string): Promise<string> {
    const suffix = runId
      .replace(/[^0-9a-f]/gi, '')
      .slice(0, 12)
      .toLowerCase()
    if (suffix.length < 12)
      throw new TypeError(`A run id needs at least 12 hex digits to name a table: ${runId}`)
    const staged = qualified(`${prefix}${suffix}`)
    await transaction.query(`CREATE TABLE ${staged} (LIKE ${like} INCLUDING ALL)`)
    return staged
  }

  async function swap(target: PostgresQueryable, staged: string): Promise<string | undefined> {
    checkStaged(staged)
    return inTransaction(target, async (transaction) => {
      const previous = await liveTable(transaction)
      for (let attempt = 1; ; attempt++) {
        // A savepoint, so a lock timeout undoes only this attempt, not the caller's transaction.
        await transaction.query('SAVEPOINT view_swap')
        try {
          await transaction.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`])
          await transaction.query(`CREATE OR REPLACE VIEW ${view} AS SELECT * FROM ${staged}`)
          await transaction.query('RELEASE SAVEPOINT view_swap')
          return previous
        } catch (error) {
          await transaction.query('ROLLBACK TO SAVEPOINT view_swap')
          if (sqlState(error) !== '55P03' || attempt >= attempts) throw error
          await backOff(FIRST_RETRY_DELAY_MS, attempt)
        }
      }
    })
  }

  /** The table the view selects from now, as the catalog records its dependency. */
  async function liveTable(transaction: PostgresQueryable): Promise<string | undefined> {
    const { rows } = await transaction.query(
      `SELECT DISTINCT n.nspname AS schema, c.relname AS name FROM pg_rewrite r
JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
JOIN pg_class c ON c.oid = d.refobjid AND c.oid <> r.ev_class AND c.relkind IN ('r', 'p')
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.ev_class = to_regclass($1)`,
      [view],
    )
    const row = rows[0] as { schema: string; name: string } | undefined
    return row && `"${row.schema}"."${row.name}"`
  }

  async function dropSuperseded(target: PostgresQueryable): Promise<number> {
    return inTransaction(target, async (transaction) => {
      const live = await liveTable(transaction)
      const { rows } = await transaction.query(
        `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = coalesce($1::text, current_schema()) AND starts_with(c.relname, $2)
  AND c.relname ~ '__[0-9a-f]{12}$'`,
        [parts.length === 2 ? parts[0] : null, prefix],
      )
      const superseded = (rows as { schema: string; name: string }[])
        .map((row) => `"${row.schema}"."${row.name}"`)
        .filter((table) => table !== live)
      // Readers that began before the switch may still read a superseded table: waiting for them is fine here.
      for (const table of superseded) await transaction.query(`DROP TABLE IF EXISTS ${table}`)
      return superseded.length
    })
  }

  return {
    stage,
    fill: (transaction, staged, rows) => insertRows(transaction, checkStaged(staged), rows),
    swap,
    dropSuperseded,
  }
}

/** A staged name is spliced into SQL: only what `stage` returns (quoted, one run table of a view) is taken. */
function checkStaged(staged: string): string {
  if (!/^("[A-Za-z_][A-Za-z0-9_]*"\.)?"[A-Za-z_][A-Za-z0-9_]*__[0-9a-f]{12}"$/.test(staged))
    throw new TypeError(`Not a table staged by postgresViewSwap: ${staged}`)
  return staged
}

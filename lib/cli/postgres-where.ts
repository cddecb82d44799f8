import { quotedTableName } from '../postgres/schema.js'
import { UsageError } from './errors.js'

/** Where a PostgreSQL table is, for connecting and for messages; the password stays inside `databaseUrl`. */
export interface PostgresWhere {
  /** As given: `name` or `schema.name`, already checked to be safe to quote into SQL. */
  readonly table: string
  readonly databaseUrl: string
  /** `--database-url` or `DATABASE_URL`: what the messages tell the operator to fix. */
  readonly source: string
  readonly host: string
  readonly port: string
  readonly database: string
  readonly user: string
}

/** The PostgreSQL table and database named by the flags, checked; the URL is never echoed back. */
export function postgresWhere(table: string | undefined, databaseUrl: string, source: string): PostgresWhere {
  const fromEnv =
    source === 'DATABASE_URL' ? ' (DATABASE_URL is set: for DynamoDB, pass --region or --endpoint)' : ''
  if (table === undefined)
    throw new UsageError(
      `Name the table: --table (name or schema.name, e.g. idempotency_records), or the IDEMPOTENCY_TABLE_NAME variable${fromEnv}.`,
    )
  try {
    quotedTableName(table)
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; check --table${fromEnv}.`)
  }
  let url: URL | undefined
  try {
    url = new URL(databaseUrl)
  } catch {}
  // Never echo the URL: it may hold the password.
  if (url === undefined || !['postgres:', 'postgresql:'].includes(url.protocol))
    throw new UsageError(`${source} needs a URL of the form postgres://user:password@host:5432/database.`)
  const decoded = (value: string) => decodeURIComponent(value)
  const user = decoded(url.username) || url.searchParams.get('user') || '(the default user)'
  return {
    table,
    databaseUrl,
    source,
    // A Unix socket is a `host` parameter (postgres:///db?host=/var/run/postgresql).
    host: url.searchParams.get('host') || decoded(url.hostname) || 'localhost',
    port: url.port || url.searchParams.get('port') || '5432',
    database: decoded(url.pathname.slice(1)) || user,
    user,
  }
}

import { quotedTableName } from '../postgres/schema.js'
import { type Flags, text } from './args.js'
import type { RecordBackend } from './backend.js'
import { CliError, UsageError, type Where } from './errors.js'
import type { CliIo } from './io.js'

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

export type StoreChoice =
  | { readonly kind: 'dynamodb'; readonly where: Where }
  | { readonly kind: 'postgres'; readonly where: PostgresWhere }

/**
 * PostgreSQL when `--database-url` says so, or when DATABASE_URL is set and nothing names DynamoDB:
 * DATABASE_URL is a common variable (an application's own database), so `--endpoint`, `--region` or
 * DYNAMODB_ENDPOINT win.
 */
export function chooseStore(flags: Flags, env: CliIo['env']): StoreChoice {
  const table = text(flags, 'table') ?? (env.IDEMPOTENCY_TABLE_NAME || undefined)
  const [urlFlag, endpoint, region] = ['database-url', 'endpoint', 'region'].map((name) => text(flags, name))
  if (urlFlag !== undefined && (endpoint !== undefined || region !== undefined))
    throw new UsageError('Give --database-url (PostgreSQL) or --endpoint and --region (DynamoDB), not both.')
  const namesDynamoDB = endpoint !== undefined || region !== undefined || Boolean(env.DYNAMODB_ENDPOINT)
  const databaseUrl = urlFlag ?? (namesDynamoDB ? undefined : env.DATABASE_URL || undefined)
  if (databaseUrl !== undefined)
    return {
      kind: 'postgres',
      where: postgresWhere(table, databaseUrl, urlFlag ? '--database-url' : 'DATABASE_URL'),
    }
  if (table === undefined)
    throw new UsageError('Name the table: --table, or the IDEMPOTENCY_TABLE_NAME variable.')
  return {
    kind: 'dynamodb',
    where: {
      table,
      endpoint: endpoint ?? (env.DYNAMODB_ENDPOINT || undefined),
      region: region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined),
    },
  }
}

function postgresWhere(table: string | undefined, databaseUrl: string, source: string): PostgresWhere {
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

/** The one place a backend is loaded: each needs its own peer package, imported only when chosen. */
export async function openBackend(choice: StoreChoice, env: CliIo['env']): Promise<RecordBackend> {
  if (choice.kind === 'postgres') {
    const { postgresBackend } = await import('./postgres-backend.js')
    return postgresBackend(choice.where)
  }
  const { dynamoDBBackend } = await withPeer(
    '@aws-sdk/client-dynamodb',
    'the AWS SDK',
    () => import('./dynamodb-backend.js'),
  )
  return dynamoDBBackend(choice.where, env)
}

/**
 * Loads a module that needs a peer dependency; when the peer is not installed, says what to install instead
 * of printing a trace. ESM says ERR_MODULE_NOT_FOUND "Cannot find package 'pg'", CommonJS MODULE_NOT_FOUND.
 */
export async function withPeer<T>(name: string, what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string }
    if (!/MODULE_NOT_FOUND/.test(code ?? '') || !message?.includes(`'${name}'`)) throw error
    throw new CliError(`needs ${what}: run it from a project with ${name} installed (npm install ${name}).`)
  }
}

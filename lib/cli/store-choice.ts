import { type Flags, text } from './args.js'
import { type RecordBackend, withPeer } from './backend.js'
import { UsageError, type Where } from './errors.js'
import type { CliIo } from './io.js'
import { type PostgresWhere, postgresWhere } from './postgres-where.js'

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

/** Each backend, loaded only when chosen: each needs its own peer package. */
const BACKENDS: {
  readonly [K in StoreChoice['kind']]: (
    where: Extract<StoreChoice, { kind: K }>['where'],
    env: CliIo['env'],
  ) => Promise<RecordBackend>
} = {
  dynamodb: async (where, env) => {
    const load = () => import('./dynamodb-backend.js')
    return (await withPeer('@aws-sdk/client-dynamodb', 'the AWS SDK', load)).dynamoDBBackend(where, env)
  },
  postgres: async (where) => (await import('./postgres-backend.js')).postgresBackend(where),
}

/** The one place a backend is opened. */
export function openBackend(choice: StoreChoice, env: CliIo['env']): Promise<RecordBackend> {
  const open = BACKENDS[choice.kind] as (
    where: StoreChoice['where'],
    env: CliIo['env'],
  ) => Promise<RecordBackend>
  return open(choice.where, env)
}

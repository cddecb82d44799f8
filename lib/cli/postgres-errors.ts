import { CliError } from './errors.js'
import type { PostgresWhere } from './postgres-where.js'

/** Node's codes for a connection that never reached PostgreSQL (ENOENT: no Unix socket at that path). */
const UNREACHABLE = ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOENT']
const HOST_NOT_FOUND = ['ENOTFOUND', 'EAI_AGAIN']

/**
 * The operator-facing line for an error from PostgreSQL or the network on the way to it; undefined for one
 * that is neither (a bug: reported as unexpected). `schemaMissing` says a 42P01 is about the schema, not the
 * table: PostgreSQL reports both as "relation does not exist".
 */
export function explainPostgresError(
  error: unknown,
  where: PostgresWhere,
  schemaMissing = false,
): CliError | undefined {
  const cause = connectionCause(error)
  if (cause === undefined) return undefined
  const { code = '', message } = cause
  const server = `${where.host}:${where.port}`
  const place = `database ${where.database} at ${server}`
  const line = (text: string) => new CliError(text)
  switch (code) {
    case '42P01':
      if (schemaMissing)
        return line(
          `Schema ${where.table.split('.')[0]} does not exist in ${place}. Check --table (schema.name).`,
        )
      return line(
        `Table ${where.table} does not exist in ${place}. Check --table (schema.name for a table outside the search path); migrate() or sql/postgres/001_idempotency.sql creates it.`,
      )
    case '3F000':
      return line(`A schema in --table ${where.table} does not exist in ${place} (3F000). Check --table.`)
    case '3D000':
      return line(
        `Database ${where.database} does not exist at ${server} (3D000). Check the database name in ${where.source}.`,
      )
    case '28P01':
      return line(
        `PostgreSQL at ${server} refused the credentials of user ${where.user} (28P01). Check the user and password in ${where.source}.`,
      )
    case '28000':
      return line(
        `PostgreSQL at ${server} refused the connection (28000): ${message}. A server that requires TLS needs sslmode in ${where.source} (e.g. ?sslmode=verify-full).`,
      )
    case '42501':
      return line(
        `User ${where.user} may not use table ${where.table} (42501: ${message}): inspect and stats need SELECT, invalidate also DELETE, and USAGE on its schema.`,
      )
  }
  if (UNREACHABLE.includes(code))
    return line(
      `Could not connect to PostgreSQL at ${server} (${code}). Is the server running, and are the host and port in ${where.source} right?`,
    )
  if (HOST_NOT_FOUND.includes(code))
    return line(`PostgreSQL host ${where.host} was not found (${code}). Check the host in ${where.source}.`)
  if (/Connection terminated unexpectedly/.test(message))
    return line(
      `PostgreSQL at ${server} ended the connection before answering (${message}). Check the host and port in ${where.source}: is PostgreSQL listening there?`,
    )
  if (/timeout/i.test(message))
    return line(
      `Timed out connecting to PostgreSQL at ${server}. Is the host reachable from here (VPN, security group, bastion)?`,
    )
  if (/SSL|TLS|CERT/.test(code) || /does not support SSL/.test(message))
    return line(
      `TLS to PostgreSQL at ${server} failed (${code || message}). For RDS, set NODE_EXTRA_CA_CERTS to the RDS CA bundle; a server without TLS needs no sslmode in ${where.source}.`,
    )
  // Any other SQLSTATE (classes 00 to 58, F0, HV, P0, XX; never a Node code like EPIPE): PostgreSQL's own words.
  if (/^([0-9]{2}|F0|HV|P0|XX)[0-9A-Z]{3}$/.test(code))
    return line(`PostgreSQL at ${server} answered ${code}: ${message}`)
  return undefined
}

/**
 * The error that came from the database or the socket: the store wraps driver errors (its unavailable
 * error, with the driver's as `cause`), so the innermost cause speaks. A connection to `localhost` that fails
 * on both ::1 and 127.0.0.1 is an AggregateError that carries the code itself.
 */
export function connectionCause(error: unknown): { code?: string; message: string } | undefined {
  let current = error
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | undefined)?.cause
    if (!(cause instanceof Error)) break
    current = cause
  }
  if (!(current instanceof Error)) return undefined
  const code = (current as { code?: unknown }).code
  return { code: typeof code === 'string' ? code : undefined, message: current.message }
}

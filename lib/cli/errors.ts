/** Exit codes, documented in docs/operations.md: scripts branch on them. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed: the store refused, the record changed, the operator said no. */
  failed: 1,
  /** The command line was wrong: nothing was read or written. */
  usage: 2,
  /** No record under the key: it never ran, expired, or lives under another namespace. */
  notFound: 3,
} as const

/** An error whose message is for the operator as it stands; the CLI prints it and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    /** Further lines after the one-line message: hints, never a stack trace. */
    readonly hints: readonly string[] = [],
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** A mistake on the command line: the message, then the command's usage line. */
export class UsageError extends CliError {
  constructor(
    message: string,
    /** Print the whole usage text, not just where to find it. */
    readonly showUsage = false,
  ) {
    super(message, EXIT.usage)
    this.name = 'UsageError'
  }
}

/** Where a DynamoDB table is, for messages that name it (PostgreSQL's: PostgresWhere in postgres-where.ts). */
export interface Where {
  readonly table: string
  readonly endpoint?: string
  readonly region?: string
}

const IAM_ACTIONS =
  'inspect needs dynamodb:GetItem, invalidate dynamodb:GetItem and dynamodb:DeleteItem, stats dynamodb:Scan and dynamodb:DescribeTable'

/** The operator-facing line for an error from AWS or the network; undefined for one the CLI cannot explain. */
export function explainAwsError(error: unknown, where: Where): string | undefined {
  const cause = rootCause(error)
  const name = cause.name
  const code = (cause as { code?: string }).code
  const place = where.endpoint
    ? `at ${where.endpoint}`
    : `in region ${where.region ?? '(from your AWS profile)'}`
  if (name === 'ResourceNotFoundException')
    return `Table "${where.table}" was not found ${place}. Check --table, and --region or --endpoint.`
  if (name === 'CredentialsProviderError')
    return 'No AWS credentials found. Set AWS_PROFILE (run `aws sso login` first for an SSO profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --endpoint http://localhost:8000 to use DynamoDB Local.'
  if (/^Region is missing/.test(cause.message))
    return 'No AWS region is set. Pass --region, or set AWS_REGION (or a region in your AWS profile).'
  if (['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException'].includes(name))
    return `AWS refused the credentials (${name}). Refresh them (\`aws sso login\`) or check AWS_PROFILE.`
  if (name === 'AccessDeniedException')
    return `AWS denied access to table "${where.table}": ${cause.message} (${IAM_ACTIONS}).`
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
    const target = where.endpoint ?? `DynamoDB ${place}`
    return `Could not reach ${target} (${code}). Is DynamoDB Local running, and is the endpoint right?`
  }
  return undefined
}

/** The store wraps SDK errors (IdempotencyStoreUnavailableError); the SDK's own error says what went wrong. */
function rootCause(error: unknown): Error {
  let current = error
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | undefined)?.cause
    if (!(cause instanceof Error)) break
    current = cause
  }
  return current instanceof Error ? current : new Error(String(current))
}

import {
  type IdempotencyError,
  IdempotencyStoreMisconfiguredError,
  IdempotencyStoreUnavailableError,
  type StoreMisconfiguration,
} from '../errors.js'

/**
 * The toolkit's error for a failed DynamoDB call: a set-up that cannot work until someone changes it (no table,
 * no permission, no region or credentials at all) is `IdempotencyStoreMisconfiguredError`, naming the table and
 * what to do; anything else, transient or unknown, is `IdempotencyStoreUnavailableError` (retry later). Expired or
 * still-loading credentials, throttling, timeouts and IAM still propagating after a deploy (an unrecognized
 * client) stay transient.
 */
export function dynamoDBError(operation: string, error: unknown, tableName: string): IdempotencyError {
  const problem = misconfiguration(error)
  if (problem === undefined) return new IdempotencyStoreUnavailableError(operation, error)
  return new IdempotencyStoreMisconfiguredError(problem, advice(problem, tableName, error), { cause: error })
}

function misconfiguration(error: unknown): StoreMisconfiguration | undefined {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown }
  const text = typeof message === 'string' ? message : ''
  if (name === 'ResourceNotFoundException') return 'table-missing'
  if (name === 'AccessDeniedException') return 'access-denied'
  if (/^Region is missing/.test(text)) return 'region-missing'
  if (name === 'CredentialsProviderError' && /Could not load credentials from any providers/.test(text))
    return 'credentials-missing'
  return undefined
}

function advice(problem: StoreMisconfiguration, table: string, error: unknown): string {
  const cause = (error as Error).message
  switch (problem) {
    case 'table-missing':
      return `DynamoDB table '${table}' does not exist (${cause}). Deploy it with the CDK construct IdempotencyTable, or create it locally with \`npx lambda-idempotency local --table ${table}\` (idempotencyTableDefinition('${table}') from lambda-idempotency/testing is its CreateTable input).`
    case 'access-denied':
      return `this function may not use DynamoDB table '${table}' (${cause}). Grant it with IdempotencyTable's grant(fn), or the actions in docs/cdk.md; just after a deploy, IAM may take a minute to apply.`
    case 'region-missing':
      return `no AWS region is configured for DynamoDB table '${table}'. Set AWS_REGION (Lambda sets it), or DYNAMODB_ENDPOINT to a local endpoint such as the one \`npx lambda-idempotency local\` prints.`
    case 'credentials-missing':
      return `no AWS credentials were found for DynamoDB table '${table}' (${cause}). Run with credentials (Lambda gives its role's), or set DYNAMODB_ENDPOINT to a local endpoint, which needs none.`
  }
}

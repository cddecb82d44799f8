import { IdempotencyError } from '../errors.js'

/**
 * The HTTP preset found no authenticated caller to scope the key to, and no anonymous fallback is configured.
 * Keys are per caller, so without one a key could replay another client's answer. Nothing was stored.
 */
export class IdempotencyPrincipalMissingError extends IdempotencyError {
  constructor() {
    super(
      'This API scopes idempotency keys to the authenticated caller, and this request has none. Authenticate and retry with the same key.',
      'principal-missing',
    )
  }
}

/**
 * The request was authenticated, but the preset cannot tell its caller apart from other callers (a shared role
 * session, an authorizer context without a field that names the caller, a token without issuer or subject).
 * Scoping the key to it could hand one caller another's answer, so nothing runs: a server configuration problem.
 * The message is for the operator and names the option that fixes it; clients get a fixed 500 text.
 */
export class IdempotencyPrincipalUnresolvedError extends IdempotencyError {
  constructor(reason: string) {
    super(
      `The request was authenticated, but ${reason}, so it cannot be told apart from other callers and its idempotency key cannot be scoped to it. Nothing was processed. Set the HTTP preset's \`principal\` option to return a value that names this caller.`,
      'principal-unresolved',
    )
  }
}

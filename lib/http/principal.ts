import { IdempotencyPrincipalMissingError, IdempotencyPrincipalUnresolvedError } from './errors.js'
import type { HttpEvent, HttpIdempotencyOptions } from './types.js'

/**
 * Who sent a request, tagged with the source that vouched for it. The scope is built from the whole tuple, so
 * two sources never share a key space: an anonymous client id, a Lambda authorizer's principalId and a JWT `sub`
 * that happen to be equal are still three callers.
 */
export type Principal =
  | readonly ['jwt', issuer: string, subject: string]
  | readonly ['lambda', principalId: string]
  | readonly ['cognito-identity', identityPoolId: string, identityId: string]
  | readonly ['iam', callerArn: string]
  | readonly ['mtls', issuerDN: string, serialNumber: string]
  | readonly ['custom', value: string]
  | readonly ['anonymous', value: string]

/** How many values follow each source's tag; checked against `Principal`, so a new source must be added here. */
export const PRINCIPAL_ARITY = {
  jwt: 2,
  lambda: 1,
  'cognito-identity': 2,
  iam: 1,
  mtls: 2,
  custom: 1,
  anonymous: 1,
} as const satisfies { readonly [Source in Principal[0]]: ValuesAfterTag<Source> }

type ValuesAfterTag<Source extends Principal[0]> =
  Extract<Principal, readonly [Source, ...string[]]> extends readonly [string, ...infer Values]
    ? Values['length']
    : never

/** The session name Cognito identity pools give every user's session of their shared role. */
const COGNITO_SESSION_NAME = 'CognitoIdentityCredentials'

/**
 * The caller of a request: the `principal` option if set, else what API Gateway or the function URL reports,
 * else `anonymousPrincipal`. Throws 401 when there is no caller at all, and 500 (`principal-unresolved`) when the
 * request was authenticated but its caller cannot be told apart from others: never a shared scope.
 */
export function principalOf(
  event: HttpEvent,
  options: Pick<HttpIdempotencyOptions, 'principal' | 'anonymousPrincipal'>,
): Principal {
  if (options.principal) {
    const custom = options.principal(event)
    if (custom) return ['custom', custom]
  } else {
    const reported = defaultPrincipal(event)
    if (reported) return reported
  }
  const anonymous = options.anonymousPrincipal?.(event)
  if (anonymous) return ['anonymous', anonymous]
  throw new IdempotencyPrincipalMissingError()
}

/**
 * The authenticated caller, as the authorizer, IAM auth or mutual TLS report it, in that order; undefined when
 * the request carries no identity. Each source is read only for fields that name the caller and stay the same
 * across that caller's retries (never a token's expiry, scopes or request ids).
 */
export function defaultPrincipal(event: HttpEvent): Principal | undefined {
  // A REST event built by hand (a direct invoke, a test console) may come without a request context.
  const context = (event.requestContext ?? {}) as RequestContextShape
  const authorizer = recordOf(context.authorizer)
  const identity = recordOf(context.identity)
  return (
    (authorizer && (jwtCaller(authorizer) ?? lambdaAuthorizerCaller(authorizer))) ??
    iamAuthorizerCaller(recordOf(authorizer?.iam)) ??
    iamIdentityCaller(identity) ??
    certificateCaller(identity?.clientCert ?? recordOf(context.authentication)?.clientCert)
  )
}

/**
 * JWT claims: HTTP API JWT authorizers put them in `authorizer.jwt.claims` (payload 2.0) or `authorizer.claims`
 * (payload 1.0), REST Cognito user pool authorizers in `authorizer.claims`. A `sub` is unique only within its
 * issuer (two user pools, or two IdPs, can hand out the same one), so the caller is issuer + sub.
 */
function jwtCaller(authorizer: Rec): Principal | undefined {
  const jwt = recordOf(authorizer.jwt)
  const claims = jwt ? recordOf(jwt.claims) : recordOf(authorizer.claims)
  if (!jwt && !claims) return undefined
  const [issuer, subject] = [text(claims?.iss), text(claims?.sub)]
  if (issuer && subject) return ['jwt', issuer, subject]
  throw new IdempotencyPrincipalUnresolvedError(
    'its JWT claims lack `iss` or `sub` (a `sub` names a user only within its issuer)',
  )
}

/**
 * Lambda authorizers. REST (and payload 1.0) events carry the authorizer's `principalId`. HTTP API events carry
 * its context object in `authorizer.lambda`, which has no standard caller field: only a `principalId` in it is
 * read. Anything else there may change between one caller's retries (an expiry, a trace id), or be shared by
 * many callers (a tenant, a role), so a context without it fails closed rather than guess.
 */
function lambdaAuthorizerCaller(authorizer: Rec): Principal | undefined {
  if (authorizer.lambda !== undefined) {
    const principalId = text(recordOf(authorizer.lambda)?.principalId) ?? text(authorizer.principalId)
    if (principalId) return ['lambda', principalId]
    throw new IdempotencyPrincipalUnresolvedError(
      'its HTTP API Lambda authorizer context (`requestContext.authorizer.lambda`) has no `principalId` that names the caller; return one from the authorizer, or read the field that does',
    )
  }
  if (typeof authorizer.principalId !== 'string') return undefined
  const principalId = text(authorizer.principalId)
  if (principalId) return ['lambda', principalId]
  throw new IdempotencyPrincipalUnresolvedError('its Lambda authorizer returned an empty `principalId`')
}

/**
 * IAM auth on HTTP APIs and function URLs (`authorizer.iam`). A Cognito identity pool's users all assume one
 * role, so the caller is the Cognito identity (pool + identity id) whenever there is one, never the role ARN.
 */
function iamAuthorizerCaller(iam: Rec | undefined): Principal | undefined {
  if (!iam) return undefined
  const cognito = recordOf(iam.cognitoIdentity)
  if (cognito) return cognitoIdentity(text(cognito.identityPoolId), text(cognito.identityId))
  return iamCaller(text(iam.userArn))
}

/** IAM auth on REST APIs and payload 1.0 (`requestContext.identity`), with the same Cognito rule. */
function iamIdentityCaller(identity: Rec | undefined): Principal | undefined {
  const identityId = text(identity?.cognitoIdentityId)
  if (identityId) return cognitoIdentity(text(identity?.cognitoIdentityPoolId), identityId)
  const userArn = text(identity?.userArn)
  return userArn ? iamCaller(userArn) : undefined
}

function cognitoIdentity(identityPoolId: string | undefined, identityId: string | undefined): Principal {
  if (identityPoolId && identityId) return ['cognito-identity', identityPoolId, identityId]
  throw new IdempotencyPrincipalUnresolvedError(
    'its Cognito identity lacks the identity pool id or the identity id',
  )
}

/**
 * An IAM user, role session or federated user by ARN. An assumed role's ARN ends in a session name chosen by
 * whoever assumed the role, so two sessions are two callers; a role shared by callers who do not trust each
 * other must pin session names (sts:RoleSessionName, sts:SourceIdentity) or set the `principal` option.
 */
function iamCaller(userArn: string | undefined): Principal {
  if (!userArn) throw new IdempotencyPrincipalUnresolvedError('its IAM caller has no ARN')
  if (assumedRoleSession(userArn) === COGNITO_SESSION_NAME) {
    throw new IdempotencyPrincipalUnresolvedError(
      `its caller is the role session ${userArn}, which every user of a Cognito identity pool shares, and the event carries no Cognito identity`,
    )
  }
  return ['iam', userArn]
}

/** `arn:aws:sts::123456789012:assumed-role/ROLE/SESSION` → `SESSION`; undefined for any other ARN. */
function assumedRoleSession(arn: string): string | undefined {
  return /^arn:[^:]+:sts::[^:]*:assumed-role\/[^/]+\/([^/]+)$/.exec(arn)?.[1]
}

/**
 * Mutual TLS without an authorizer identity: the client certificate API Gateway validated against the custom
 * domain's truststore (`identity.clientCert` on REST, `authentication.clientCert` on HTTP APIs). Issuer + serial
 * number names one certificate; a renewed certificate is a new caller, so retries must not span a renewal.
 */
function certificateCaller(cert: unknown): Principal | undefined {
  const certificate = recordOf(cert)
  if (!certificate) return undefined
  const [issuer, serialNumber] = [text(certificate.issuerDN), text(certificate.serialNumber)]
  if (issuer && serialNumber) return ['mtls', issuer, serialNumber]
  throw new IdempotencyPrincipalUnresolvedError('its client certificate lacks an issuer or a serial number')
}

type Rec = Readonly<Record<string, unknown>>

/** What the readers above touch; every field is checked at run time, since events are untyped JSON. */
interface RequestContextShape {
  authorizer?: unknown
  identity?: unknown
  authentication?: unknown
}

function recordOf(value: unknown): Rec | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

import type {
  APIGatewayEventClientCertificate,
  APIGatewayEventIdentity,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
} from 'aws-lambda'
import { functionUrlEvent, httpApiEvent, type RequestSpec, restEvent } from './http-events.js'

/**
 * Each way API Gateway (REST, HTTP API with payload 2.0 or 1.0) and function URLs tell a Lambda who called, as
 * the developer guides and captured events show them: what an authorizer, IAM auth or mutual TLS leaves in
 * `requestContext`. The builders take the request as `RequestSpec`, so two callers can send the same request.
 */
export const ACCOUNT = '123456789012'
export const USER_POOL_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example'
export const IDENTITY_POOL_ID = 'eu-west-1:5b1f6c2e-7d3a-4e8b-9f10-2a3b4c5d6e7f'
/** Every user of a Cognito identity pool assumes this one role, and Cognito names each session the same. */
export const IDENTITY_POOL_ROLE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/Cognito_PaymentsAuth_Role/CognitoIdentityCredentials`

export const assumedRoleArn = (role: string, session: string) =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`
export const iamUserArn = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`

/** A Cognito user pool token's claims, as API Gateway hands them on: every value coerced to a string. */
export function userPoolClaims(sub: string, issuer = USER_POOL_ISSUER): Record<string, string> {
  return {
    sub,
    iss: issuer,
    aud: '4l1rm5k0a2c3e4g5i6k7m8o9q0',
    token_use: 'id',
    'cognito:username': sub,
    email: `${sub}@example.com`,
    auth_time: '1795780800',
    iat: '1795780800',
    exp: '1795784400',
  }
}

/** A Cognito identity pool identity, as function URLs and HTTP APIs report it in `authorizer.iam`. */
export interface CognitoIdentity {
  identityId: string
  identityPoolId?: string
  authenticated?: boolean
}

/** The `authorizer.iam` block of an IAM-authorized HTTP API or function URL request. */
export function iamAuthorizer(userArn: string, cognito?: CognitoIdentity) {
  const session = userArn.includes(':assumed-role/') ? userArn.split('/').at(-1) : undefined
  return {
    iam: {
      accessKey: session ? 'ASIAY34FZKBOKMUTVV7A' : 'AKIAIOSFODNN7EXAMPLE',
      accountId: ACCOUNT,
      callerId: session ? `AROAY34FZKBOKMUTVV7A:${session}` : 'AIDACKCEVSQ6C2EXAMPLE',
      cognitoIdentity: cognito
        ? {
            amr: cognito.authenticated === false ? ['unauthenticated'] : amr(cognito.identityId),
            identityId: cognito.identityId,
            identityPoolId: cognito.identityPoolId ?? IDENTITY_POOL_ID,
          }
        : null,
      principalOrgId: 'o-a1b2c3d4e5',
      userArn,
      userId: session ? `AROAY34FZKBOKMUTVV7A:${session}` : 'AIDACKCEVSQ6C2EXAMPLE',
    },
  }
}

function amr(identityId: string): string[] {
  const provider = USER_POOL_ISSUER.replace('https://', '')
  return ['authenticated', provider, `${provider}:CognitoSignIn:${identityId.split(':')[1]}`]
}

/** The `requestContext.identity` fields REST APIs (and HTTP API payload 1.0) fill for IAM auth. */
export function iamIdentity(userArn: string, cognito?: CognitoIdentity): Partial<APIGatewayEventIdentity> {
  const session = userArn.includes(':assumed-role/') ? userArn.split('/').at(-1) : undefined
  const caller = session ? `AROAY34FZKBOKMUTVV7A:${session}` : 'AIDACKCEVSQ6C2EXAMPLE'
  return {
    accessKey: session ? 'ASIAY34FZKBOKMUTVV7A' : 'AKIAIOSFODNN7EXAMPLE',
    accountId: ACCOUNT,
    caller,
    user: caller,
    userArn,
    principalOrgId: 'o-a1b2c3d4e5',
    cognitoIdentityId: cognito?.identityId ?? null,
    cognitoIdentityPoolId: cognito ? (cognito.identityPoolId ?? IDENTITY_POOL_ID) : null,
    cognitoAuthenticationType: cognito
      ? cognito.authenticated === false
        ? 'unauthenticated'
        : 'authenticated'
      : null,
    cognitoAuthenticationProvider: cognito
      ? `${USER_POOL_ISSUER.replace('https://', '')},${USER_POOL_ISSUER.replace('https://', '')}:CognitoSignIn:${cognito.identityId.split(':')[1]}`
      : null,
  }
}

/** A client certificate API Gateway validated against the custom domain's truststore. */
export function clientCert(serialNumber: string, commonName: string): APIGatewayEventClientCertificate {
  return {
    clientCertPem:
      '-----BEGIN CERTIFICATE-----\nMIIEZTCCAk0CAQEwDQYJKoZIhvcNAQELBQAwgZAx...\n-----END CERTIFICATE-----',
    subjectDN: `C=DE,O=Example Partner,CN=${commonName}`,
    issuerDN: 'C=DE,O=Example Payments,CN=Example Payments Client CA',
    serialNumber,
    validity: { notBefore: 'Jan  1 00:00:00 2026 GMT', notAfter: 'Jan  1 00:00:00 2028 GMT' },
  }
}

type RestContext = APIGatewayProxyEvent['requestContext']

/** A REST API event whose authorizer and identity are replaced or extended. */
export function restWith(
  spec: RequestSpec,
  auth: { authorizer?: RestContext['authorizer']; identity?: Partial<APIGatewayEventIdentity> },
): APIGatewayProxyEvent {
  const event = restEvent(spec)
  const { requestContext } = event
  return {
    ...event,
    requestContext: {
      ...requestContext,
      authorizer: auth.authorizer ?? requestContext.authorizer,
      identity: { ...requestContext.identity, ...auth.identity },
    },
  }
}

/**
 * An HTTP API event in payload format 1.0: REST-shaped (httpMethod, multiValueHeaders, `identity`), with
 * `authorizer: { claims: null, scopes: null }` on a route without a JWT authorizer.
 */
export function httpApiV1With(
  spec: RequestSpec,
  auth: { authorizer?: RestContext['authorizer']; identity?: Partial<APIGatewayEventIdentity> } = {},
): APIGatewayProxyEvent {
  const rest = restWith(spec, { identity: auth.identity })
  const path = spec.path ?? '/payments'
  return {
    ...rest,
    version: '1.0',
    resource: path,
    requestContext: {
      ...rest.requestContext,
      authorizer: auth.authorizer ?? { claims: null, scopes: null },
      routeKey: `${spec.method ?? 'POST'} ${path}`,
      stage: '$default',
    },
  } as APIGatewayProxyEvent
}

/** An HTTP API (payload 2.0) event with the given `authorizer` block and optional mTLS `authentication`. */
export function httpApiWith(
  spec: RequestSpec,
  auth: { authorizer?: unknown; clientCert?: APIGatewayEventClientCertificate },
): APIGatewayProxyEventV2 {
  return v2With(httpApiEvent(spec), auth)
}

/** A function URL event: `AWS_IAM` auth fills `authorizer.iam`; auth type NONE leaves it out. */
export function functionUrlWith(spec: RequestSpec, auth: { authorizer?: unknown }): APIGatewayProxyEventV2 {
  return v2With(functionUrlEvent(spec), auth)
}

function v2With(
  event: APIGatewayProxyEventV2,
  auth: { authorizer?: unknown; clientCert?: APIGatewayEventClientCertificate },
): APIGatewayProxyEventV2 {
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      ...(auth.authorizer === undefined ? {} : { authorizer: auth.authorizer }),
      ...(auth.clientCert ? { authentication: { clientCert: auth.clientCert } } : {}),
    },
  } as APIGatewayProxyEventV2
}

/** HTTP API JWT authorizer: the token's claims under `authorizer.jwt`, beside an empty principalId. */
export const jwtAuthorizer = (claims: Record<string, string>) => ({
  principalId: '',
  integrationLatency: 0,
  jwt: { claims, scopes: null },
})

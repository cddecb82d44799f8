import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2WithIAMAuthorizer,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyEventV2WithRequestContext,
} from 'aws-lambda'

/**
 * Builders for the events API Gateway and function URLs really send (shapes as in the AWS developer guides):
 * REST proxy events carry repeated headers in `multiValueHeaders`, HTTP API and function URL events lower-case
 * the names and join repeated values with commas.
 */
export interface RequestSpec {
  method?: string
  /** The concrete path, e.g. `/payments/pay_1`. */
  path?: string
  /** Header name → one value, or several for a repeated header. */
  headers?: Record<string, string | string[]>
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
  base64?: boolean
  query?: Record<string, string>
  pathParameters?: Record<string, string>
}

const ACCOUNT = '123456789012'
const REQUEST_TIME_EPOCH_MS = Date.UTC(2026, 10, 27, 12, 0, 0)

export type RestAuthorizer =
  | { principalId: string }
  | { claims: Record<string, string> }
  | { iamUserArn: string }
  | undefined

/** API Gateway REST API, Lambda proxy integration (payload 1.0). */
export function restEvent(
  spec: RequestSpec & { resource?: string; authorizer?: RestAuthorizer },
): APIGatewayProxyEvent {
  const method = spec.method ?? 'POST'
  const path = spec.path ?? '/payments'
  const multiValueHeaders = Object.fromEntries(
    Object.entries(withDefaults(spec.headers)).map(([name, value]) => [name, [value].flat()]),
  )
  const headers = Object.fromEntries(
    Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1)]),
  )
  const { authorizer } = spec
  const { body, isBase64Encoded } = bodyFields(spec)
  return {
    resource: spec.resource ?? path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: spec.query ?? null,
    multiValueQueryStringParameters: spec.query
      ? Object.fromEntries(Object.entries(spec.query).map(([name, value]) => [name, [value]]))
      : null,
    pathParameters: spec.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'a1b2c3d4e5',
      authorizer: restAuthorizerContext(authorizer),
      domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      extendedRequestId: 'Ab1Cd2Ef3Gh=',
      httpMethod: method,
      identity: restIdentity(
        authorizer !== undefined && 'iamUserArn' in authorizer ? authorizer.iamUserArn : null,
      ),
      path: `/prod${path}`,
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTime: '27/Nov/2026:12:00:00 +0000',
      requestTimeEpoch: REQUEST_TIME_EPOCH_MS,
      resourceId: 'abc123',
      resourcePath: spec.resource ?? path,
      stage: 'prod',
    },
    body: body ?? null,
    isBase64Encoded,
  }
}

/** What a Lambda (TOKEN/REQUEST) or Cognito authorizer leaves in a REST event; IAM auth fills `identity`. */
function restAuthorizerContext(
  authorizer: RestAuthorizer,
): APIGatewayProxyEvent['requestContext']['authorizer'] {
  if (authorizer === undefined || 'iamUserArn' in authorizer) return undefined
  if ('principalId' in authorizer) return { principalId: authorizer.principalId, integrationLatency: 12 }
  return { claims: authorizer.claims }
}

/** API Gateway HTTP API (payload 2.0) behind a JWT authorizer; `sub: undefined` means a route without one. */
export function httpApiEvent(
  spec: RequestSpec & { routeKey?: string; sub?: string },
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const event = v2Event(spec, spec.routeKey ?? `${spec.method ?? 'POST'} ${spec.path ?? '/payments'}`, {
    domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
    domainPrefix: 'a1b2c3d4e5',
  })
  if (spec.sub === undefined) return event as APIGatewayProxyEventV2WithJWTAuthorizer
  const claims = {
    sub: spec.sub,
    iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
    scope: 'payments/write',
  }
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: null } },
    },
  }
}

/** Lambda function URL (v2-shaped, always route `$default`), with `AWS_IAM` auth or none. */
export function functionUrlEvent(
  spec: RequestSpec & { iamUserArn?: string },
): APIGatewayProxyEventV2WithIAMAuthorizer {
  const event = v2Event(spec, '$default', {
    domainName: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws',
    domainPrefix: 'abcdefghijklmnopqrstuvwxyz012345',
  })
  if (spec.iamUserArn === undefined) return event as APIGatewayProxyEventV2WithIAMAuthorizer
  const iam = {
    accessKey: 'AKIAIOSFODNN7EXAMPLE',
    accountId: ACCOUNT,
    callerId: 'AIDACKCEVSQ6C2EXAMPLE',
    cognitoIdentity: null,
    principalOrgId: 'o-example',
    userArn: spec.iamUserArn,
    userId: 'AIDACKCEVSQ6C2EXAMPLE',
  }
  return { ...event, requestContext: { ...event.requestContext, authorizer: { iam } } }
}

function v2Event(
  spec: RequestSpec,
  routeKey: string,
  domain: { domainName: string; domainPrefix: string },
): APIGatewayProxyEventV2WithRequestContext<APIGatewayEventRequestContextV2> {
  const method = spec.method ?? 'POST'
  const path = spec.path ?? '/payments'
  const headers = Object.fromEntries(
    Object.entries(withDefaults(spec.headers)).map(([name, value]) => [
      name.toLowerCase(),
      [value].flat().join(','),
    ]),
  )
  const rawQueryString = new URLSearchParams(spec.query ?? {}).toString()
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString,
    headers,
    ...(spec.query ? { queryStringParameters: spec.query } : {}),
    ...(spec.pathParameters ? { pathParameters: spec.pathParameters } : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: domain.domainPrefix,
      ...domain,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test-client/1.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey,
      stage: '$default',
      time: '27/Nov/2026:12:00:00 +0000',
      timeEpoch: REQUEST_TIME_EPOCH_MS,
    },
    ...bodyFields(spec),
  }
}

function withDefaults(headers: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return { 'Content-Type': 'application/json', 'User-Agent': 'test-client/1.0', ...headers }
}

function bodyFields(spec: RequestSpec): { body?: string; isBase64Encoded: boolean } {
  if (spec.body === undefined) return { isBase64Encoded: false }
  const text = typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body)
  return spec.base64
    ? { body: Buffer.from(text).toString('base64'), isBase64Encoded: true }
    : { body: text, isBase64Encoded: false }
}

function restIdentity(userArn: string | null): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: userArn ? ACCOUNT : null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: '203.0.113.7',
    user: null,
    userAgent: 'test-client/1.0',
    userArn,
  }
}

/** A header of a result, looked up in any case (API Gateway treats names case-insensitively). */
export function headerOf(
  result: { headers?: Record<string, unknown> } | null | undefined,
  name: string,
): string | undefined {
  const entry = Object.entries(result?.headers ?? {}).find(
    ([key]) => key.toLowerCase() === name.toLowerCase(),
  )
  return entry === undefined ? undefined : String(entry[1])
}

/** A UUIDv7 whose 48-bit timestamp is `epochMs` (RFC 9562 §5.7). */
export function uuidV7At(epochMs: number): string {
  const hex = epochMs.toString(16).padStart(12, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7abc-8def-0123456789ab`
}

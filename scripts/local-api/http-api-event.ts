import { isUtf8 } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda'
import type { HttpResult } from '../../lib/http/index.js'

export interface MatchedRoute {
  /** As in the HTTP API: `POST /payments`, `GET /payments/{paymentId}`. */
  readonly routeKey: string
  readonly pathParameters?: Record<string, string>
}

/** HTTP API passes these as text; every other body arrives base64-encoded, as API Gateway sends binary. */
const TEXT_CONTENT = /^(text\/|application\/([\w.+-]*\+)?(json|xml)\b|application\/x-www-form-urlencoded)/i

/**
 * The event API Gateway's HTTP API (payload 2.0) sends a Lambda for this request, after its JWT authorizer
 * accepted `subject` as the token's `sub` claim.
 */
export function httpApiEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  route: MatchedRoute,
  subject: string,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {}
  let cookies: string[] | undefined
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values === undefined) continue
    if (name === 'cookie') cookies = values.flatMap((line) => line.split(/;\s*/))
    // API Gateway joins repeated header lines with commas, as Node does for most headers.
    else headers[name] = values.join(',')
  }
  const nowEpochMs = Date.now()
  // A text body must survive as a JSON string in the event: bytes that are not UTF-8 would be replaced
  // silently, so they travel base64-encoded, as API Gateway sends binary.
  const text = TEXT_CONTENT.test(headers['content-type'] ?? 'text/plain') && isUtf8(body)
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    ...(url.search === '' ? {} : { queryStringParameters: queryParameters(url) }),
    ...(route.pathParameters === undefined ? {} : { pathParameters: route.pathParameters }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomBytes(12).toString('base64'),
      routeKey: route.routeKey,
      stage: '$default',
      time: apiGatewayTime(nowEpochMs),
      timeEpoch: nowEpochMs,
      authorizer: { jwt: { claims: { sub: subject }, scopes: null } },
    },
    ...(body.length === 0 ? {} : { body: body.toString(text ? 'utf8' : 'base64') }),
    isBase64Encoded: body.length > 0 && !text,
  }
}

function queryParameters(url: URL): Record<string, string> {
  const parameters: Record<string, string> = {}
  for (const name of new Set(url.searchParams.keys()))
    parameters[name] = url.searchParams.getAll(name).join(',')
  return parameters
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** API Gateway's `requestContext.time`: `27/Nov/2026:14:21:44 +0000`. */
function apiGatewayTime(epochMs: number): string {
  const date = new Date(epochMs)
  const two = (n: number) => String(n).padStart(2, '0')
  const day = `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`
  return `${day}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
}

/** Sends a proxy result as API Gateway would; a client that hung up meanwhile is simply not answered. */
export function sendResult(response: ServerResponse, result: HttpResult): void {
  if (response.destroyed) return
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value)
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8')
  response.writeHead(result.statusCode, { ...headers, 'Content-Length': String(body.length) })
  response.end(body)
}

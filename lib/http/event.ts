import type { APIGatewayProxyEvent } from 'aws-lambda'
import type { HttpEvent } from './types.js'

/** REST APIs (and HTTP API payload 1.0) carry `httpMethod`; v2 events and function URLs carry `requestContext.http`. */
const isV1 = (event: HttpEvent): event is APIGatewayProxyEvent => 'httpMethod' in event

const NOT_AN_HTTP_EVENT =
  'The HTTP idempotency preset handles API Gateway (REST, HTTP API) and function URL events, and this event has no HTTP method (httpMethod or requestContext.http.method). Check the function trigger; nothing was processed.'

/**
 * Every field line of a header, in any case. REST events list repeated headers in `multiValueHeaders`; v2
 * events join them with commas into one line, so a v2 caller sees one value that may hold several.
 */
export function headerValues(event: HttpEvent, name: string): string[] {
  const lower = name.toLowerCase()
  if (isV1(event) && event.multiValueHeaders) {
    const values = valuesNamed(event.multiValueHeaders, lower).flat()
    if (values.length > 0) return values
  }
  return valuesNamed(event.headers ?? {}, lower)
}

function valuesNamed<T>(headers: Readonly<Record<string, T | undefined>>, lower: string): T[] {
  const values: T[] = []
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower && value !== undefined && value !== null) values.push(value)
  }
  return values
}

/** Read first, so an event from another source (or a hand-made one) is refused by name before anything runs. */
export function methodOf(event: HttpEvent): string {
  const shape = event as { httpMethod?: unknown; requestContext?: { http?: { method?: unknown } } } | null
  const method =
    typeof shape === 'object' && shape !== null && isV1(event)
      ? shape.httpMethod
      : shape?.requestContext?.http?.method
  if (typeof method !== 'string') throw new TypeError(NOT_AN_HTTP_EVENT)
  return method.toUpperCase()
}

/**
 * The route the request matched: the REST resource (`/payments/{id}`) or the HTTP API route key. Function URLs
 * and `$default` routes match everything, so their route is the request path.
 */
export function routeOf(event: HttpEvent): string {
  if (isV1(event)) return event.resource
  const { routeKey } = event
  return routeKey && routeKey !== '$default' ? routeKey : event.rawPath
}

/** The concrete resource the request names: a route like `/payments/{id}` alone would let two ids share a key. */
export function targetOf(event: HttpEvent): { path: string; query: unknown } {
  if (isV1(event)) return { path: event.path, query: event.multiValueQueryStringParameters ?? null }
  return { path: event.rawPath, query: event.rawQueryString ?? '' }
}

/** The body as a parsed value (an earlier middleware may have parsed it) or its raw bytes, or undefined. */
export function bodyOf(event: HttpEvent): { parsed: unknown } | { bytes: Buffer } | undefined {
  const body: unknown = event.body
  if (body === undefined || body === null) return undefined
  if (typeof body !== 'string') return { parsed: body }
  return { bytes: Buffer.from(body, event.isBase64Encoded ? 'base64' : 'utf8') }
}

import type { HttpResult } from './types.js'

/**
 * Statuses below 500 that are not final answers: a timeout (408), a conflict (409), "too early" (425) and
 * rate limiting (429) all tell the client to try again, so storing them would replay the refusal forever.
 */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 409, 425, 429])

/** Always replayed: what the body is, and where a created resource lives. */
const ALWAYS_REPLAYED = ['content-type', 'location']

/**
 * Whether a handler's answer is final and stored: 2xx, 3xx and 4xx (a card decline is an answer), except the
 * retryable ones. A 5xx says the server failed, so the key is released and a retry runs again. A result without
 * a status code is sent by API Gateway as a 200.
 */
export function isFinalAnswer(result: HttpResult): boolean {
  const status = statusOf(result)
  return status < 500 && !RETRYABLE_STATUSES.has(status)
}

/** Header names the store keeps, lower-cased; everything else (cookies, caching, tracing) is never stored. */
export function replayedHeaderNames(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...ALWAYS_REPLAYED, ...extra.map((name) => name.toLowerCase())])
}

/** The part of an answer that is stored and replayed: status, body and the safe headers. */
export function storedForm(result: HttpResult, keep: ReadonlySet<string>): HttpResult {
  if (!isProxyResult(result)) return result
  const stored: HttpResult = { statusCode: result.statusCode }
  const headers = pick(result.headers, keep)
  if (headers !== undefined) stored.headers = headers
  const multiValueHeaders = pick(result.multiValueHeaders, keep)
  if (multiValueHeaders !== undefined) stored.multiValueHeaders = multiValueHeaders
  if (result.body !== undefined) stored.body = result.body
  if (result.isBase64Encoded !== undefined) stored.isBase64Encoded = result.isBase64Encoded
  return stored
}

/** A stored answer as replayed: the stored parts plus markers such as `Idempotent-Replayed: true`. */
export function withHeaders(result: HttpResult, headers: Record<string, string>): HttpResult {
  if (!isProxyResult(result)) return result
  return { ...result, headers: { ...result.headers, ...headers } }
}

function statusOf(result: HttpResult): number {
  return isProxyResult(result) ? result.statusCode : 200
}

function isProxyResult(result: unknown): result is HttpResult {
  return (
    typeof result === 'object' && result !== null && typeof (result as HttpResult).statusCode === 'number'
  )
}

function pick<T>(
  headers: Record<string, T> | undefined,
  keep: ReadonlySet<string>,
): Record<string, T> | undefined {
  if (headers === undefined) return undefined
  const kept = Object.entries(headers).filter(([name]) => keep.has(name.toLowerCase()))
  return kept.length > 0 ? Object.fromEntries(kept) : undefined
}

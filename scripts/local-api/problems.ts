import { STATUS_CODES } from 'node:http'
import { SAMPLE_PROBLEM_TYPE_BASE } from '../../functions/shared/problems.js'
import { type HttpResult, problemResponse } from '../../lib/http/index.js'

/**
 * What the local API answers by itself, where no function ran; documented one anchor each in
 * functions/problems.md, beside the sample's own types. Deployed, API Gateway answers these cases itself.
 */
export type LocalProblemCode =
  | 'route-not-found'
  | 'payload-too-large'
  | 'headers-too-large'
  | 'malformed-request'
  | 'request-timeout'
  | 'local-only'
  | 'local-request-invalid'
  | 'function-failed'
  | 'job-crashed'

/** Status, title and a detail for clients; no detail carries what went wrong inside (the log has that). */
const PROBLEMS: Readonly<Record<LocalProblemCode, readonly [number, string, string]>> = {
  'route-not-found': [
    404,
    'Route not found',
    'No route answers this method and path. The local API serves POST /payments, GET /payments/{paymentId}, POST /payouts and GET /operations/{id}, and its own routes under /_local/ (see functions/README.md).',
  ],
  'payload-too-large': [
    413,
    'Request body too large',
    'The body is over 10 MB, the most API Gateway accepts. Nothing was processed: send a smaller body.',
  ],
  'headers-too-large': [
    431,
    'Request headers too large',
    'The request headers are over 16 KB, the most this server reads; an Idempotency-Key is at most 255 characters. Nothing was processed: send shorter headers.',
  ],
  'malformed-request': [
    400,
    'Malformed request',
    'The request is not valid HTTP/1.1: its request line, a header name or value, or its framing carries bytes HTTP does not allow. Nothing was processed.',
  ],
  'request-timeout': [
    408,
    'Request timeout',
    'The request did not arrive in full in time. Nothing was processed: send it again, with the same Idempotency-Key.',
  ],
  'local-only': [
    403,
    'Local route',
    'The local API answers /_local only on requests addressed to 127.0.0.1, localhost or [::1].',
  ],
  'local-request-invalid': [
    400,
    'Invalid local request',
    'The body of this local route is not what it takes.',
  ],
  'function-failed': [
    500,
    'Internal server error',
    'The function failed without answering; the local API logs why. Retry with the same Idempotency-Key: a request that completed is replayed, one that failed runs again.',
  ],
  'job-crashed': [
    500,
    'Job run killed',
    'The run was killed midway, as crashAfterRows asked: none of its rows is visible. Run the date again.',
  ],
}

/** Every code, for the test that finds each one documented. */
export const LOCAL_PROBLEM_CODES = Object.keys(PROBLEMS) as LocalProblemCode[]

/** A problem+json answer of the local API itself; `detail` replaces the standard one where it knows more. */
export function localProblem(code: LocalProblemCode, detail?: string): HttpResult {
  const [status, title, standardDetail] = PROBLEMS[code]
  const type = `${SAMPLE_PROBLEM_TYPE_BASE}${code}`
  return problemResponse({ status, type, title, detail: detail ?? standardDetail })
}

/**
 * The same answer as raw HTTP/1.1 bytes, for a socket Node's parser gave up on before there was a request to
 * answer (a header past its limit, bytes that are not HTTP). The connection closes after it.
 */
export function rawLocalProblem(code: LocalProblemCode): string {
  const { statusCode, headers, body = '' } = localProblem(code)
  const lines = [
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}`,
    ...Object.entries(headers ?? {}).map(([name, value]) => `${name}: ${String(value)}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ]
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

import { type HttpResult, problemResponse } from '../../lib/http/index.js'

/** The sample's own problem types, documented one anchor each in functions/problems.md. */
export const SAMPLE_PROBLEM_TYPE_BASE =
  'https://github.com/lambda-idempotency/lambda-idempotency/blob/main/functions/problems.md#'

export type SampleProblemCode =
  | 'validation-failed'
  | 'unsupported-media-type'
  | 'unauthorized'
  | 'card-declined'
  | 'gateway-failed'
  | 'payment-not-found'
  | 'key-reused'
  | 'payouts-unavailable'

const STATUS_AND_TITLE: Readonly<Record<SampleProblemCode, [number, string]>> = {
  'validation-failed': [400, 'Invalid request body'],
  'unsupported-media-type': [415, 'Body is not JSON'],
  unauthorized: [401, 'Not authenticated'],
  'card-declined': [402, 'Card declined'],
  'payment-not-found': [404, 'Payment not found'],
  'key-reused': [422, 'Idempotency-Key already used for another payment'],
  'gateway-failed': [502, 'Payment gateway failed'],
  'payouts-unavailable': [501, 'Payouts need Node.js 22 or later'],
}

/** Every code, for the test that finds each one documented. */
export const SAMPLE_PROBLEM_CODES = Object.keys(STATUS_AND_TITLE) as SampleProblemCode[]

/**
 * A problem+json answer of the sample. `extensions` become RFC 9457 extension members (for example the ids of a
 * declined payment), next to the standard ones.
 */
export function sampleProblem(
  code: SampleProblemCode,
  detail: string,
  options: { headers?: Record<string, string>; extensions?: Record<string, string> } = {},
): HttpResult {
  const [status, title] = STATUS_AND_TITLE[code]
  const type = `${SAMPLE_PROBLEM_TYPE_BASE}${code}`
  const result = problemResponse({ status, type, title, detail, headers: options.headers })
  if (options.extensions === undefined) return result
  return { ...result, body: JSON.stringify({ ...JSON.parse(result.body ?? '{}'), ...options.extensions }) }
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  }
}

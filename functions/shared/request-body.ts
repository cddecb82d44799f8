import { parseStrictJson } from './strict-json.js'

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly detail: string }

/** ₹10,00,000 in paise: the sample's per-payment limit, high enough for any demo and low enough to be a limit. */
export const MAX_AMOUNT_MINOR = 100_000_000

/**
 * The members of a request body that must be a JSON object of the `allowed` fields, with a problem named for
 * each unknown one; the caller adds its own fields' problems and answers `invalid(problems)` if there are any.
 */
export function bodyFields(
  body: string | undefined,
  isBase64Encoded: boolean,
  allowed: readonly string[],
): Parsed<{ fields: Record<string, unknown>; problems: string[] }> {
  if (body === undefined || body === '') return invalid(['The body must be a JSON object'])
  const parsed = parseStrictJson(body, isBase64Encoded)
  if (!parsed.ok) return invalid([parsed.detail])
  const { value } = parsed
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid(['The body must be a JSON object'])
  const fields = value as Record<string, unknown>
  const problems = Object.keys(fields)
    .filter((name) => !allowed.includes(name))
    .map((name) => `unknown field "${name}" (allowed: ${allowed.join(', ')})`)
  return { ok: true, value: { fields, problems } }
}

/** The problems of an amount in minor units and an ISO 4217 currency, as every money body has them. */
export function moneyProblems(amount: unknown, currency: unknown): string[] {
  const problems: string[] = []
  if (!(Number.isInteger(amount) && (amount as number) > 0 && (amount as number) <= MAX_AMOUNT_MINOR))
    problems.push(`amount must be a positive integer in minor units, at most ${MAX_AMOUNT_MINOR}`)
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    problems.push('currency must be 3 upper-case letters (ISO 4217), such as "INR"')
  return problems
}

/** `application/json` or any `+json` type (RFC 6839), in any case; parameters are cut off before the test. */
const JSON_MEDIA_TYPE = /^application\/([\w.!#$&^-]+\+)?json$/i

/**
 * The body's media type when it is not JSON (`text/plain`, a form, bytes), for a 415; undefined for JSON, and
 * for a body sent without a Content-Type, which is read as JSON. Reading a form or text as JSON would guess at
 * what the client meant; a money body must not be guessed at.
 */
export function nonJsonMediaType(
  headers: Readonly<Record<string, string | undefined>> | null | undefined,
): string | undefined {
  // HTTP API (v2) lower-cases header names; REST (v1) passes them as sent.
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1]
  const mediaType = value?.split(';')[0]?.trim() ?? ''
  if (mediaType === '') return undefined
  return JSON_MEDIA_TYPE.test(mediaType) ? undefined : mediaType
}

/** What a client sent as `mediaType` should do instead: nothing was claimed, so the same key still works. */
export function unsupportedMediaTypeDetail(mediaType: string): string {
  return `The body was sent as ${mediaType}; this route takes JSON. Send it with Content-Type: application/json (a body without a Content-Type is read as JSON) and the same Idempotency-Key.`
}

/** Every problem named at once, so a client can fix them all, with what to do next. */
export function invalid(problems: readonly string[]): Parsed<never> {
  return {
    ok: false,
    detail: `${problems.join('; ')}. Fix the request and send it again with the same Idempotency-Key.`,
  }
}

import type { HttpEvent } from '../../lib/http/index.js'
import { MAX_AMOUNT_MINOR, type Parsed } from './payment-request.js'
import { parseStrictJson } from './strict-json.js'

export interface PayoutRequest {
  /** The payee's account at the bank. */
  readonly accountId: string
  /** Minor units (paise, cents). */
  readonly amount: number
  /** ISO 4217 code, upper case. */
  readonly currency: string
}

const FIELDS = new Set(['accountId', 'amount', 'currency'])
/** Bank account references as the simulated bank issues them: short, and safe to log and show. */
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/

/** Parses and checks a POST /payouts body; every problem is named, so a client can fix them all at once. */
export function parsePayoutRequest(body: string | undefined, isBase64Encoded = false): Parsed<PayoutRequest> {
  if (body === undefined || body === '') return invalid(['The body must be a JSON object'])
  const parsed = parseStrictJson(body, isBase64Encoded)
  if (!parsed.ok) return invalid([parsed.detail])
  const { value } = parsed
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid(['The body must be a JSON object'])
  const fields = value as Record<string, unknown>
  const problems = Object.keys(fields)
    .filter((name) => !FIELDS.has(name))
    .map((name) => `unknown field "${name}" (allowed: accountId, amount, currency)`)
  const { accountId, amount, currency } = fields
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId))
    problems.push('accountId must be 1 to 64 letters, digits, "_" or "-"')
  if (!(Number.isInteger(amount) && (amount as number) > 0 && (amount as number) <= MAX_AMOUNT_MINOR))
    problems.push(`amount must be a positive integer in minor units, at most ${MAX_AMOUNT_MINOR}`)
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    problems.push('currency must be 3 upper-case letters (ISO 4217), such as "INR"')
  if (problems.length > 0) return invalid(problems)
  return {
    ok: true,
    value: { accountId: accountId as string, amount: amount as number, currency: currency as string },
  }
}

function invalid(problems: string[]): Parsed<never> {
  return {
    ok: false,
    detail: `${problems.join('; ')}. Fix the request and send it again with the same Idempotency-Key.`,
  }
}

/** Validated bodies, keyed by their event, so the route starts the execution with exactly what was checked. */
const validated = new WeakMap<object, PayoutRequest>()

/** Validates the event's body and remembers it for `payoutRequestOf`. */
export function validatePayoutRequest(event: HttpEvent): Parsed<PayoutRequest> {
  // A direct invoke may send `null` as the whole event: that is a request without a body.
  const parsed = parsePayoutRequest(event?.body ?? undefined, event?.isBase64Encoded)
  if (parsed.ok) validated.set(event, parsed.value)
  return parsed
}

/** The body `validatePayoutRequest` accepted for this event. */
export function payoutRequestOf(event: HttpEvent): PayoutRequest {
  const request = validated.get(event)
  if (request === undefined) throw new Error('validatePayoutRequest() must run before the 202 route')
  return request
}

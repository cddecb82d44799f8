import type { HttpEvent } from '../../lib/http/index.js'
import { bodyFields, invalid, moneyProblems, type Parsed } from './request-body.js'

export interface PayoutRequest {
  /** The payee's account at the bank. */
  readonly accountId: string
  /** Minor units (paise, cents). */
  readonly amount: number
  /** ISO 4217 code, upper case. */
  readonly currency: string
}

const FIELDS = ['accountId', 'amount', 'currency']
/** Bank account references as the simulated bank issues them: short, and safe to log and show. */
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/

/** Parses and checks a POST /payouts body; every problem is named, so a client can fix them all at once. */
export function parsePayoutRequest(body: string | undefined, isBase64Encoded = false): Parsed<PayoutRequest> {
  const read = bodyFields(body, isBase64Encoded, FIELDS)
  if (!read.ok) return read
  const { fields, problems } = read.value
  const { accountId, amount, currency } = fields
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId))
    problems.push('accountId must be 1 to 64 letters, digits, "_" or "-"')
  problems.push(...moneyProblems(amount, currency))
  if (problems.length > 0) return invalid(problems)
  return {
    ok: true,
    value: { accountId: accountId as string, amount: amount as number, currency: currency as string },
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

import type middy from '@middy/core'
import type { Context } from 'aws-lambda'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { sampleProblem } from './problems.js'
import { parseStrictJson } from './strict-json.js'

export interface PaymentRequest {
  /** Minor units (paise, cents). */
  readonly amount: number
  /** ISO 4217 code, upper case. */
  readonly currency: string
  readonly description?: string
}

/** ₹10,00,000 in paise: the sample's per-payment limit, high enough for any demo and low enough to be a limit. */
export const MAX_AMOUNT_MINOR = 100_000_000
export const MAX_DESCRIPTION_CHARACTERS = 200
const FIELDS = new Set(['amount', 'currency', 'description'])

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly detail: string }

/** Parses and checks a POST /payments body; every problem is named, so a client can fix them all at once. */
export function parsePaymentRequest(
  body: string | undefined,
  isBase64Encoded = false,
): Parsed<PaymentRequest> {
  if (body === undefined || body === '') return invalid(['The body must be a JSON object'])
  const parsed = parseStrictJson(body, isBase64Encoded)
  if (!parsed.ok) return invalid([parsed.detail])
  const { value } = parsed
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return invalid(['The body must be a JSON object'])
  const fields = value as Record<string, unknown>
  const problems = Object.keys(fields)
    .filter((name) => !FIELDS.has(name))
    .map((name) => `unknown field "${name}" (allowed: amount, currency, description)`)
  const { amount, currency, description } = fields
  if (!(Number.isInteger(amount) && (amount as number) > 0 && (amount as number) <= MAX_AMOUNT_MINOR))
    problems.push(`amount must be a positive integer in minor units, at most ${MAX_AMOUNT_MINOR}`)
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    problems.push('currency must be 3 upper-case letters (ISO 4217), such as "INR"')
  if (
    description !== undefined &&
    (typeof description !== 'string' || [...description].length > MAX_DESCRIPTION_CHARACTERS)
  )
    problems.push(
      `description, when present, must be a string of at most ${MAX_DESCRIPTION_CHARACTERS} characters`,
    )
  if (problems.length > 0) return invalid(problems)
  const request: PaymentRequest = { amount: amount as number, currency: currency as string }
  return {
    ok: true,
    value: description === undefined ? request : { ...request, description: description as string },
  }
}

function invalid(problems: string[]): Parsed<never> {
  return {
    ok: false,
    detail: `${problems.join('; ')}. Fix the request and send it again with the same Idempotency-Key.`,
  }
}

/** Validated bodies, keyed by their event, so the handler reads exactly what was checked. */
const validated = new WeakMap<object, PaymentRequest>()

/**
 * Validates the body before the idempotency middleware claims the key: register it first, so an invalid request
 * gets its 400 and stores nothing.
 */
export function paymentRequestValidator(): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  return {
    before: async ({ event }) => {
      // A direct invoke may send `null` as the whole event: that is a request without a body.
      const parsed = parsePaymentRequest(event?.body ?? undefined, event?.isBase64Encoded)
      if (!parsed.ok) return sampleProblem('validation-failed', parsed.detail)
      validated.set(event, parsed.value)
    },
  }
}

/** The body `paymentRequestValidator` accepted for this event. */
export function paymentRequestOf(event: HttpEvent): PaymentRequest {
  const request = validated.get(event)
  if (request === undefined) throw new Error('paymentRequestValidator() must run before the handler')
  return request
}

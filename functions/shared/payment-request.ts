import type middy from '@middy/core'
import type { Context } from 'aws-lambda'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { sampleProblem } from './problems.js'
import {
  bodyFields,
  invalid,
  moneyProblems,
  nonJsonMediaType,
  type Parsed,
  unsupportedMediaTypeDetail,
} from './request-body.js'

export interface PaymentRequest {
  /** Minor units (paise, cents). */
  readonly amount: number
  /** ISO 4217 code, upper case. */
  readonly currency: string
  readonly description?: string
}

export const MAX_DESCRIPTION_CHARACTERS = 200
const FIELDS = ['amount', 'currency', 'description']

/** Parses and checks a POST /payments body; every problem is named, so a client can fix them all at once. */
export function parsePaymentRequest(
  body: string | undefined,
  isBase64Encoded = false,
): Parsed<PaymentRequest> {
  const read = bodyFields(body, isBase64Encoded, FIELDS)
  if (!read.ok) return read
  const { fields, problems } = read.value
  const { amount, currency, description } = fields
  problems.push(...moneyProblems(amount, currency))
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

/** Validated bodies, keyed by their event, so the handler reads exactly what was checked. */
const validated = new WeakMap<object, PaymentRequest>()

/**
 * Validates the body before the idempotency middleware claims the key: register it first, so a body that is not
 * JSON gets its 415, an invalid one its 400, and neither stores anything.
 */
export function paymentRequestValidator(): middy.MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  return {
    before: async ({ event }) => {
      const notJson = event?.body ? nonJsonMediaType(event.headers) : undefined
      if (notJson !== undefined)
        return sampleProblem('unsupported-media-type', unsupportedMediaTypeDetail(notJson))
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

import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import {
  type HttpEvent,
  type HttpIdempotencyOptions,
  type HttpResult,
  httpIdempotency,
  idempotencyProblem,
  problemResponse,
} from '../../lib/http/index.js'
import { IdempotencyStoreUnavailableError, idempotencyOf } from '../../lib/index.js'
import type { PaymentsDependencies } from '../shared/environment.js'
import { type Charge, GatewayError, type PaymentGateway } from '../shared/gateway.js'
import { dynamoDBPaymentRecords, type PaymentRecords } from '../shared/payment-records.js'
import { type PaymentRequest, paymentRequestOf, paymentRequestValidator } from '../shared/payment-request.js'
import { type Payment, paymentView } from '../shared/payments.js'
import { callerOf } from '../shared/principal.js'
import { jsonResponse, sampleProblem } from '../shared/problems.js'

/** 5 s: half the function's timeout, so a client that waits still gets its twin's answer within one call. */
const MAX_WAIT_SECONDS = 5
/** 22 base64url characters carry 132 bits: ids stay short to read and never collide in practice. */
const PAYMENT_ID_CHARACTERS = 22

/** `now` moves the idempotency clock only (leases, retention); tests use it to let a lease run out. */
export type CreatePaymentOptions = Pick<HttpIdempotencyOptions, 'logger' | 'onOutcome' | 'now'>

/**
 * POST /payments. The payment id and the gateway's key are derived from the idempotency record, so every retry of
 * one request (even after a crash between the charge and the completion) names the same payment and the gateway
 * charges once. The payment commits in the same transaction as the COMPLETED record: a TransactWriteItems on
 * DynamoDB, a SQL transaction on PostgreSQL (`createPaymentHandlerWith`).
 */
/**
 * Fixed, not the function name: paymentId and the gateway key derive from the record key, so they must not
 * change when the function is renamed or redeployed under another name.
 */
export const CREATE_PAYMENT_NAMESPACE = 'payments#create-payment'

export function createPaymentHandler(deps: PaymentsDependencies, options: CreatePaymentOptions = {}) {
  return createPaymentHandlerWith(dynamoDBPaymentRecords(deps), deps.gateway, options)
}

/** create-payment over any payment records: DynamoDB's, or PostgreSQL's (functions/shared/postgres-payments.ts). */
export function createPaymentHandlerWith(
  records: PaymentRecords,
  gateway: PaymentGateway,
  options: CreatePaymentOptions = {},
) {
  async function createPayment(event: HttpEvent, context: Context): Promise<HttpResult> {
    const handle = idempotencyOf(context)
    const owner = callerOf(event)
    // Fail closed: without a held key there is no protection against a second charge.
    if (handle === undefined || owner === undefined)
      throw new Error('create-payment must run under httpIdempotency')
    const request = paymentRequestOf(event)
    const paymentId = `pay_${handle.stableKey('payment').slice(0, PAYMENT_ID_CHARACTERS)}`
    let earlier: Payment | undefined
    try {
      earlier = await records.find(paymentId)
    } catch (error) {
      // The payments table lives in the same database as the key: in an outage, the same 503 and advice.
      return problemResponse(idempotencyProblem(new IdempotencyStoreUnavailableError('read payment', error)))
    }
    if (earlier !== undefined) return answerForEarlier(earlier, owner, request)

    let charge: Charge
    try {
      const gatewayKey = handle.stableKey('gateway')
      charge = await gateway.charge({ gatewayKey, amount: request.amount, currency: request.currency })
    } catch (error) {
      if (error instanceof GatewayError) return gatewayProblem(error)
      throw error
    }
    const payment: Payment = {
      paymentId,
      owner,
      status: charge.status,
      ...request,
      chargeId: charge.chargeId,
      createdAt: charge.createdAt,
    }
    await records.record(payment, context)
    return paymentAnswer(payment)
  }

  return middy<HttpEvent, HttpResult, Error, Context>(createPayment)
    .use(paymentRequestValidator())
    .use(
      httpIdempotency({
        store: records.store,
        namespace: CREATE_PAYMENT_NAMESPACE,
        principal: callerOf,
        payload: (_body, event) => paymentRequestOf(event),
        maxWaitSeconds: MAX_WAIT_SECONDS,
        ...options,
      }),
    )
}

/** A declined card is a final answer like a success: stored, replayed, and the payment records it. */
function paymentAnswer(payment: Payment): HttpResult {
  if (payment.status === 'declined') {
    return sampleProblem(
      'card-declined',
      'The card was declined. Ask the customer for another card and send that as a new request with a new Idempotency-Key.',
      { extensions: { paymentId: payment.paymentId, chargeId: payment.chargeId } },
    )
  }
  return jsonResponse(201, paymentView(payment), { Location: `/payments/${payment.paymentId}` })
}

/**
 * The key's payment exists although its idempotency record did not: the record outlived its retention. The key
 * stays bound to its payment, so the same request gets that payment again and a different one is refused.
 */
function answerForEarlier(earlier: Payment, owner: string, request: PaymentRequest): HttpResult {
  const same =
    earlier.owner === owner &&
    earlier.amount === request.amount &&
    earlier.currency === request.currency &&
    earlier.description === request.description
  if (same) return paymentAnswer(earlier)
  return sampleProblem(
    'key-reused',
    'This Idempotency-Key already made a different payment. Use a new key for a new payment.',
  )
}

function gatewayProblem(error: GatewayError): HttpResult {
  if (error.code === 'key-reused') {
    return sampleProblem(
      'key-reused',
      'This Idempotency-Key already charged a different amount or currency at the gateway. Use a new key for a new payment.',
    )
  }
  return sampleProblem(
    'gateway-failed',
    'The payment gateway failed. Retry with the same Idempotency-Key and body: the card is never charged twice.',
  )
}

import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import type { PaymentReaderDependencies } from '../shared/environment.js'
import { getPayment, type Payment, paymentView } from '../shared/payments.js'
import { callerOf } from '../shared/principal.js'
import { jsonResponse, sampleProblem } from '../shared/problems.js'

/**
 * GET /payments/{paymentId}: the payment, for its owner only. Anyone else gets the same 404 as for an id that
 * does not exist, so ids cannot be probed. A GET needs no idempotency key: reading twice changes nothing.
 */
export function getPaymentHandler(deps: PaymentReaderDependencies) {
  return getPaymentHandlerWith((paymentId) => getPayment(deps.client, deps.paymentsTableName, paymentId))
}

/** GET /payments/{paymentId} over any payment reader: DynamoDB's, or PostgreSQL's. */
export function getPaymentHandlerWith(find: (paymentId: string) => Promise<Payment | undefined>) {
  async function readPayment(event: HttpEvent): Promise<HttpResult> {
    const caller = callerOf(event)
    if (caller === undefined)
      return sampleProblem('unauthorized', 'Send a bearer token to read your payments.')
    const paymentId = event.pathParameters?.paymentId
    const payment = paymentId ? await find(paymentId) : undefined
    if (payment === undefined || payment.owner !== caller) {
      return sampleProblem(
        'payment-not-found',
        'No payment of yours has this id. Check the Location you were given.',
      )
    }
    return jsonResponse(200, paymentView(payment))
  }
  return middy<HttpEvent, HttpResult, Error, Context>(readPayment)
}

import { getPaymentHandler } from './handlers/get-payment.js'
import { readerDependenciesFromEnvironment } from './shared/environment.js'

/** GET /payments/{paymentId} behind API Gateway (HTTP API, JWT authorizer); the CDK stack sets the environment. */
export const handler = getPaymentHandler(readerDependenciesFromEnvironment())

import { createPaymentHandler } from './handlers/create-payment.js'
import { dependenciesFromEnvironment } from './shared/environment.js'

/** POST /payments behind API Gateway (HTTP API, JWT authorizer); the CDK stack sets the environment. */
export const handler = createPaymentHandler(dependenciesFromEnvironment())

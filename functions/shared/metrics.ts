/**
 * Where the sample's functions publish their outcome counts, shared with the CDK stack's dashboard so the two
 * cannot disagree. Kept apart from observability.ts, so synthesizing the stack loads no Powertools.
 */

/** The CloudWatch namespace of the sample's metrics. */
export const METRICS_NAMESPACE = 'LambdaIdempotencySample'

/** The Powertools `serviceName` (the `service` dimension) of each function that uses the idempotency table. */
export const SAMPLE_SERVICES = {
  createPayment: 'create-payment',
  fulfilOrder: 'fulfil-order',
  createPayout: 'create-payout',
} as const

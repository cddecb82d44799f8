import { DEFAULT_LEASE_MS, type LambdaContextLike, LEASE_MARGIN_MS } from '../options.js'

/**
 * The same lease rule as the engine's: the Lambda's remaining time plus a margin (the runtime kills the
 * invocation at its deadline, so a held lease cannot outlive its holder), or `leaseMs` outside a Lambda.
 */
export function leaseMsFor(context: LambdaContextLike | undefined, leaseMs = DEFAULT_LEASE_MS): number {
  const remainingMs = context?.getRemainingTimeInMillis?.()
  return remainingMs === undefined ? leaseMs : remainingMs + LEASE_MARGIN_MS
}

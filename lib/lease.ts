import { DEFAULT_LEASE_MS, type LambdaContextLike, LEASE_MARGIN_MS } from './options.js'

/** Waiting never eats the last second of the Lambda's time: it is needed to send the answer. */
export const WAIT_RESERVE_MS = 1_000

/**
 * How long a claim holds: the Lambda's remaining time plus a margin (the runtime kills the invocation at its
 * deadline, so a lease cannot outlive its holder), or `leaseMs` outside a Lambda.
 */
export function leaseMsFor(context: LambdaContextLike | undefined, leaseMs = DEFAULT_LEASE_MS): number {
  const remainingMs = context?.getRemainingTimeInMillis?.()
  return remainingMs === undefined ? leaseMs : remainingMs + LEASE_MARGIN_MS
}

/** How long a caller may wait for an in-flight twin: what it asked, within its remaining time less the reserve. */
export function waitBudgetMs(askedMs: number, context: LambdaContextLike | undefined): number {
  const remainingMs = context?.getRemainingTimeInMillis?.()
  const asked = Math.max(0, askedMs)
  return remainingMs === undefined ? asked : Math.min(asked, remainingMs - WAIT_RESERVE_MS)
}

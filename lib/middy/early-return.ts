/**
 * Powertools' Middy middlewares (logMetrics, injectLambdaContext, captureLambdaHandler) flush metrics, close
 * trace segments and reset log state in `after` and `onError`, which Middy skips when a `before` answers early,
 * as ours do for a replay or a conflict. For that case they leave a cleanup function in `request.internal`
 * under these names (the contract of Powertools' own `cleanupMiddlewares`): without it, the Replays metric of a
 * replayed request would never be published.
 */
const POWERTOOLS_CLEANUP_KEYS = ['tracer', 'metrics', 'logger'].map((name) => `powertools-for-aws.${name}`)

/** Runs the cleanup of every middleware registered before ours; call it right before returning early. */
export async function beforeEarlyReturn<TRequest extends { readonly internal: object }>(
  request: TRequest,
): Promise<void> {
  const internal = request.internal as Record<string, unknown>
  for (const key of POWERTOOLS_CLEANUP_KEYS) {
    const cleanup = internal[key]
    if (typeof cleanup === 'function') await cleanup(request)
  }
}

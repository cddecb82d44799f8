import { isIdempotencyError } from './errors.js'
import type { IdempotencyLogger, IdempotencyOutcome } from './options.js'

/** Outcomes to the user's hook and store outages to the log, for the engine; neither may break a request. */
export function createReporter(config: {
  readonly logger: IdempotencyLogger
  readonly onOutcome?: (outcome: IdempotencyOutcome) => void
}) {
  const { logger } = config

  function emit(outcome: IdempotencyOutcome): void {
    try {
      config.onOutcome?.(outcome)
    } catch (error) {
      logger.warn('idempotency onOutcome hook threw; ignored', { key: outcome.key, error: String(error) })
    }
  }

  /** Reports a store outage (after the SDK's retries): a log line and a `store-error` outcome. */
  function storeUnavailable(key: string, error: Error): void {
    logger.warn('Idempotency store unavailable', { key, error: error.message })
    emit({ type: 'store-error', key, error })
  }

  /** Runs a store call, reporting an outage, or a store that is not set up, before it propagates. */
  async function withStoreErrors<T>(key: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (isIdempotencyError(error, 'store-unavailable')) storeUnavailable(key, error)
      if (isIdempotencyError(error, 'store-misconfigured')) {
        // The operator's to fix, and the message says how: logged as an error, with the table it names.
        ;(logger.error ?? logger.warn).call(logger, error.message, { key, code: error.code })
        emit({ type: 'store-error', key, error })
      }
      throw error
    }
  }

  return { emit, withStoreErrors, storeUnavailable }
}

export type Reporter = ReturnType<typeof createReporter>

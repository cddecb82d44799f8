import {
  type IdempotencyLogger,
  type IdempotencyOutcome,
  type IdempotencyOutcomeType,
  jsonLinesLogger,
} from './options.js'

export type OutcomeLevel = 'info' | 'warn' | 'error'

/**
 * Normal traffic (claims, replays, a twin still running, a failed handler giving its key back) is `info`. A
 * reused key with another payload is a client bug: `warn`. A lost lease means a handler outran its lease and
 * its result was dropped: `warn`; so is a handler the framework timed out while it still ran. An unreachable
 * store and a result too large to replay lose availability or answers: `error`.
 */
export const OUTCOME_LEVELS: Readonly<Record<IdempotencyOutcomeType, OutcomeLevel>> = {
  fresh: 'info',
  replay: 'info',
  conflict: 'info',
  released: 'info',
  mismatch: 'warn',
  'lease-lost': 'warn',
  'timed-out': 'warn',
  'store-error': 'error',
  'result-not-stored': 'error',
}

export const OUTCOME_LOG_MESSAGE = 'idempotency outcome'

/**
 * The fields of one outcome's log line. `recordKey` is the scoped, hashed record key (function and operation,
 * then the SHA-256 of the client's key): it joins the lines of one request across retries without revealing
 * the key. Errors are reduced to their name, code and message, which the toolkit writes without keys or bodies.
 */
export function outcomeFields(outcome: IdempotencyOutcome): Record<string, unknown> {
  const fields: Record<string, unknown> = { idempotencyOutcome: outcome.type, recordKey: outcome.key }
  if (outcome.fromCache !== undefined) fields.fromCache = outcome.fromCache
  const { error } = outcome
  if (error !== undefined) {
    fields.errorName = error.name
    // Read, not `instanceof`: the error may come from the other build (ESM or CommonJS) of this package.
    const { code } = error as { code?: unknown }
    if (typeof code === 'string') fields.errorCode = code
    fields.errorMessage = error.message
  }
  return fields
}

/**
 * A ready `onOutcome`: one structured log line per outcome, at the level `OUTCOME_LEVELS` gives it. Pass a
 * Powertools Logger (or any `IdempotencyLogger`) to get its correlation ids and sampling; a logger without
 * `info` or `error` gets those lines through `warn`. The default is `jsonLinesLogger`.
 */
export function logOutcomes(
  logger: IdempotencyLogger = jsonLinesLogger,
): (outcome: IdempotencyOutcome) => void {
  return (outcome) => {
    const level = OUTCOME_LEVELS[outcome.type]
    const write = level === 'warn' ? logger.warn : (logger[level] ?? logger.warn)
    write.call(logger, OUTCOME_LOG_MESSAGE, outcomeFields(outcome))
  }
}

import type { IdempotencyOutcome, IdempotencyOutcomeType } from './options.js'

export type OutcomeLevel = 'info' | 'warn' | 'error'

/**
 * Where outcome lines go. Powertools Logger, pino and console-like loggers fit as they are: a message, then
 * fields merged into the structured line.
 */
export interface OutcomeLogger {
  info(message: string, fields: Record<string, unknown>): void
  warn(message: string, fields: Record<string, unknown>): void
  error(message: string, fields: Record<string, unknown>): void
}

/**
 * Normal traffic (claims, replays, a twin still running, a failed handler giving its key back) is `info`. A
 * reused key with another payload is a client bug: `warn`. A lost lease means a handler outran its lease and
 * its result was dropped: `warn`; so is a handler the framework timed out while it still ran. An unreachable store and a result too large to replay lose availability or
 * answers: `error`.
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
 * One JSON object per line on stdout, written past Lambda's console patching (as Powertools Logger does), so
 * with either Lambda log format CloudWatch Logs Insights can query the fields directly. No timestamp: every
 * CloudWatch log event carries its own.
 */
export const jsonLinesOutcomeLogger: OutcomeLogger = {
  info: (message, fields) => writeLine('INFO', message, fields),
  warn: (message, fields) => writeLine('WARN', message, fields),
  error: (message, fields) => writeLine('ERROR', message, fields),
}

function writeLine(level: string, message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`)
}

/**
 * A ready `onOutcome`: one structured log line per outcome, at the level `OUTCOME_LEVELS` gives it. Pass a
 * Powertools Logger (or any `OutcomeLogger`) to get its correlation ids and sampling; the default writes JSON
 * lines on stdout.
 */
export function logOutcomes(
  logger: OutcomeLogger = jsonLinesOutcomeLogger,
): (outcome: IdempotencyOutcome) => void {
  return (outcome) => logger[OUTCOME_LEVELS[outcome.type]](OUTCOME_LOG_MESSAGE, outcomeFields(outcome))
}

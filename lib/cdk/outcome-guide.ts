import type { IdempotencyOutcomeType } from '../options.js'

/** What an outcome's graph shows, and what an operator does when it moves. */
export interface OutcomeGuide {
  /** One sentence: what one count of this metric is. */
  readonly meaning: string
  /** What a rise (or for Executions, a fall) tells, and the first thing to look at. */
  readonly whenItMoves: string
}

/**
 * The operator's guide to each outcome graph of `IdempotencyDashboard`, written for someone paged at 3 a.m.
 * The dashboard prints it beside the graphs and each alarm carries its outcome's entry in its description, so
 * the notification itself says what to check. docs/operations.md is the long form.
 *
 * - Traffic: Executions (work done), Replays and Conflicts (retries the toolkit absorbed: nothing ran twice),
 *   KeysReleased (work not done, safe to retry), PayloadMismatches (client bugs).
 * - Incidents, alarmed: StoreErrors, LeaseLost, ResultsNotStored, TimedOut.
 */
export const OUTCOME_GUIDE: Readonly<Record<IdempotencyOutcomeType, OutcomeGuide>> = {
  fresh: {
    meaning: 'An attempt claimed its key and ran the handler: the work actually done.',
    whenItMoves:
      'It follows traffic. A fall while Replays hold steady means clients retry requests already answered; a ' +
      'fall to zero beside StoreErrors means the table refuses claims.',
  },
  replay: {
    meaning: 'A retry was answered from the stored result; the handler did not run again.',
    whenItMoves:
      'Clients or event sources retry more: look for timeouts or 5xx in front of the function (API Gateway, ' +
      'the client) and for SQS redeliveries. Nothing ran twice; the toolkit is absorbing them.',
  },
  conflict: {
    meaning: 'A retry arrived while the first attempt still held the key: 409 / IdempotencyInProgressError.',
    whenItMoves:
      'Clients retry faster than the handler finishes: compare with Duration p99. Slow the clients’ backoff, ' +
      'or let the HTTP preset wait for the running twin.',
  },
  mismatch: {
    meaning: 'A key was reused with a different payload: 422, a client bug or a fingerprint too wide.',
    whenItMoves:
      'Filter the outcome logs on idempotencyOutcome = "mismatch": one client points at its key generation; ' +
      'every request points at the fingerprint covering a field that changes between retries.',
  },
  released: {
    meaning:
      'A claim was given back (the handler threw, or answered a retryable 5xx or 429), so a retry runs it again.',
    whenItMoves:
      'The handler is failing: check its Errors and the dependencies it calls. Released keys are safe; they ' +
      'mean the work was not done, not that it was done twice.',
  },
  'lease-lost': {
    meaning:
      'An attempt outlived its lease and another attempt took its key over: both ran the handler, and the ' +
      'late result was dropped.',
    whenItMoves:
      'Compare Duration p99 with the function timeout, look for work that continues after the timeout, and ' +
      'check the affected effects (payments, messages) for duplicates.',
  },
  'store-error': {
    meaning:
      'A DynamoDB call failed after the SDK’s retries. At the claim, nothing ran (503 with Retry-After); at ' +
      'completion, the key stays held until its lease ends and a later retry runs the handler again.',
    whenItMoves:
      'The table’s ThrottledRequests and SystemErrors, then errorName in the outcome logs: AccessDenied ' +
      '(grants, KMS), ResourceNotFound (table name, region), throttling (capacity), timeouts (network).',
  },
  'result-not-stored': {
    meaning:
      'The handler ran but its result was too large or not serialisable: retries of the key get ' +
      'IdempotencyResultNotStoredError (500) instead of the answer.',
    whenItMoves:
      'Read errorMessage in the outcome logs; return less (an id the client can fetch) or a plain JSON value.',
  },
  'timed-out': {
    meaning:
      'Middy’s early timeout answered while the handler still ran: its key stays held until the lease ends ' +
      '(retries get 503), then a retry runs the handler again.',
    whenItMoves:
      'Compare Duration p99 with the function timeout; find the call that hangs; raise the timeout or make ' +
      'the handler stop on its AbortSignal.',
  },
}

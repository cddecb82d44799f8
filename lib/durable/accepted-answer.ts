import type { HttpResult } from '../http/types.js'
import type { ExecutionState } from './executions.js'

/** The 202 Accepted answer: where the operation lives and when to look. Stored, and replayed to every retry. */
export function acceptedAnswer(
  operationId: string,
  operationsPath: string,
  retryAfterSeconds: number,
): HttpResult {
  const location = `${operationsPath}/${operationId}`
  return {
    statusCode: 202,
    headers: {
      'Content-Type': 'application/json',
      Location: location,
      'Retry-After': String(retryAfterSeconds),
    },
    body: JSON.stringify({ operationId, location }),
  }
}

/**
 * An operation as its owner sees it. A failure shows its error type only: its message may carry what the
 * workflow's own errors carry (account ids, internal names), which a client must not see.
 */
export function operationAnswer(execution: ExecutionState, retryAfterSeconds: number): HttpResult {
  const { name: id, status } = execution
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    // One caller's operation: no shared cache may keep it, and its state changes until it ends.
    'Cache-Control': 'private, no-store',
  }
  if (status === 'running') headers['Retry-After'] = String(retryAfterSeconds)
  const view =
    status === 'succeeded'
      ? { id, status, result: execution.result }
      : status === 'failed'
        ? { id, status, error: { type: execution.error?.type ?? 'Error' } }
        : { id, status }
  return { statusCode: 200, headers, body: JSON.stringify(view) }
}

import type { HttpEvent } from '../../lib/http/index.js'

/**
 * The caller, as the HTTP API's JWT authorizer reports it (`sub`). Both the idempotency scope and the payment's
 * owner come from this one function, so a key and the payment it made always belong to the same caller.
 */
export function callerOf(event: HttpEvent): string | undefined {
  const context = event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }
  const sub = context.authorizer?.jwt?.claims?.sub
  return typeof sub === 'string' && sub !== '' ? sub : undefined
}

import { canonicalJson } from '../fingerprint.js'
import type { Principal } from './principal.js'

/**
 * The raw key the HTTP preset gives the engine: the caller, the method, the route and the client's key, as
 * canonical JSON so no value can forge a separator. The engine hashes it into the record key; the operator CLI
 * rebuilds it from the same parts with this same function, so the two cannot drift apart.
 */
export function httpScopeOf(
  principal: Principal,
  method: string,
  route: string,
  idempotencyKey: string,
): string {
  return canonicalJson([principal, method.toUpperCase(), route, idempotencyKey])
}

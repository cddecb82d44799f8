import { timingSafeEqual } from 'node:crypto'
import { canonicalJson, sha256 } from '../fingerprint.js'
import type { Principal } from '../http/principal.js'
import type { DurableEnvelope } from './types.js'

/**
 * What an operation stores of the caller that started it: a hash of its tagged principal, the same one its
 * idempotency keys are scoped to. Tagged apart from every other hash the toolkit makes.
 */
export function ownerOf(principal: Principal): string {
  return sha256(canonicalJson(['lambda-idempotency#operation-owner', principal]))
}

/** Whether `input` is an envelope started by this caller; an input without an owner belongs to nobody. */
export function isOwnedBy(input: unknown, principal: Principal): boolean {
  const owner = (input as Partial<DurableEnvelope> | null | undefined)?.owner
  if (typeof owner !== 'string') return false
  const [stored, caller] = [Buffer.from(owner), Buffer.from(ownerOf(principal))]
  return stored.length === caller.length && timingSafeEqual(stored, caller)
}

import { createHash } from 'node:crypto'
import { canonicalJsonDeep } from './deep-json.js'
import { sortedMembers } from './json-members.js'

/**
 * JSON with object keys sorted at every depth, so `{a, b}` and `{b, a}` fingerprint alike. Values go through
 * `toJSON` first (Dates become ISO strings) and `undefined` members are dropped, as in `JSON.stringify`. Every
 * member counts, whatever its name: `{"amount":100,"__proto__":{...}}` is not `{"amount":100}`.
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(value, sortKeys) ?? 'undefined'
  } catch (error) {
    // A client's body nested a few thousand levels deep parses fine but overflows the stack here: no 500 for it.
    if (!(error instanceof RangeError)) throw error
    return canonicalJsonDeep(value) ?? 'undefined'
  }
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  return sortedMembers(value)
}

/** SHA-256, base64url: 43 characters, safe in keys and logs. */
export function sha256(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('base64url')
}

/** The fingerprint of a payload: SHA-256 of its canonical JSON. Only this is stored, never the payload. */
export function fingerprintOf(payload: unknown): string {
  return sha256(canonicalJson(payload))
}

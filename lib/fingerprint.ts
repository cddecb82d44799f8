import { createHash } from 'node:crypto'
import { canonicalJsonDeep } from './deep-json.js'

/**
 * JSON with object keys sorted at every depth, so `{a, b}` and `{b, a}` fingerprint alike. Values go through
 * `toJSON` first (Dates become ISO strings) and `undefined` members are dropped, as in `JSON.stringify`. Every
 * member counts, whatever its name: `{"amount":100,"__proto__":{...}}` is not `{"amount":100}`.
 *
 * Every stored fingerprint depends on this string, byte for byte. It was first defined as
 * `JSON.stringify(value, sortKeys)` with a replacer copying each object's sorted members into an object without a
 * prototype; this writer gives the same bytes without a copy per object, which made fingerprints a third of the
 * hot path's CPU. test/core/fingerprint-writer.unit.test.ts holds the two to each other.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value, '', []) ?? 'undefined'
  } catch (error) {
    // A client's body nested a few thousand levels deep parses fine but overflows the stack here: no 500 for it.
    if (!(error instanceof RangeError)) throw error
    return canonicalJsonDeep(value) ?? 'undefined'
  }
}

/** Below this depth no value can be its own ancestor yet unseen: cycles are looked for only past it. */
const CYCLE_CHECK_DEPTH = 64

/** One value as JSON.stringify writes it: after `toJSON`, undefined where an object leaves it out. */
function write(input: unknown, key: string | number, ancestors: object[]): string | undefined {
  let value = input
  // A function is an object too: JSON.stringify asks it for toJSON, and writes what that returns.
  if (
    (typeof value === 'object' && value !== null) ||
    typeof value === 'function' ||
    typeof value === 'bigint'
  ) {
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') value = toJSON.call(value, String(key))
  }
  switch (typeof value) {
    case 'string':
      return quote(value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt')
    case 'object': {
      if (value === null) return 'null'
      if (ancestors.length > CYCLE_CHECK_DEPTH && ancestors.includes(value))
        throw new TypeError('Converting circular structure to JSON')
      // No finally: a throw abandons the whole string, and the list with it.
      ancestors.push(value)
      const written = Array.isArray(value) ? writeArray(value, ancestors) : writeObject(value, ancestors)
      ancestors.pop()
      return written
    }
    default:
      // undefined, functions and symbols: left out of objects, null in arrays.
      return undefined
  }
}

function writeArray(array: readonly unknown[], ancestors: object[]): string {
  let out = '['
  // The length as it was before any element was written, as JSON.stringify reads it: once.
  const length = array.length
  for (let index = 0; index < length; index++) {
    if (index > 0) out += ','
    out += write(array[index], index, ancestors) ?? 'null'
  }
  return `${out}]`
}

/**
 * Every own enumerable member, in the order of the sorted copy the canonical form was defined by: names sorted,
 * except that an object lists array-index names first, in numeric order, whatever the insertion order.
 * Boxed primitives are objects here too (`new String('ab')` is `{"0":"a","1":"b"}`), as they were in that copy.
 */
function writeObject(value: object, ancestors: object[]): string {
  const names = indicesFirst(Object.keys(value).sort())
  // Every member read before any is written, as the sorted copy read them: a getter or toJSON that changes its
  // parent while it is written does not change the bytes.
  const members: unknown[] = new Array(names.length)
  for (let index = 0; index < names.length; index++)
    members[index] = (value as Record<string, unknown>)[names[index] as string]
  let out = '{'
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as string
    const member = write(members[index], name, ancestors)
    if (member === undefined) continue
    out += `${out.length > 1 ? ',' : ''}${quote(name)}:${member}`
  }
  return `${out}}`
}

/** What JSON.stringify escapes: quotes, backslashes, control characters, and surrogates (a lone one is escaped). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON must escape.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** Most names and values need no escape: quoting them directly skips a call into JSON.stringify. */
const quote = (text: string) => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`)

/** The largest array index is 2³² − 2: `"4294967295"` is an ordinary name. */
const MAX_ARRAY_INDEX = 4_294_967_294
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/
const isArrayIndex = (name: string) => ARRAY_INDEX.test(name) && Number(name) <= MAX_ARRAY_INDEX

function indicesFirst(sorted: string[]): string[] {
  // Most payloads have no name starting with a digit: nothing to move.
  if (!sorted.some((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)) return sorted
  const indices = sorted.filter(isArrayIndex)
  if (indices.length === 0) return sorted
  indices.sort((a, b) => Number(a) - Number(b))
  return [...indices, ...sorted.filter((name) => !isArrayIndex(name))]
}

/** SHA-256, base64url: 43 characters, safe in keys and logs. */
export function sha256(input: string | Uint8Array): string {
  return createHash('sha256').update(input).digest('base64url')
}

/** The fingerprint of a payload: SHA-256 of its canonical JSON. Only this is stored, never the payload. */
export function fingerprintOf(payload: unknown): string {
  return sha256(canonicalJson(payload))
}

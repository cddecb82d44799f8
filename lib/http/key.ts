import { IdempotencyKeyInvalidError, IdempotencyKeyMissingError } from '../errors.js'

/** Stripe's limit, and what the table's key attribute comfortably holds once scoped and hashed. */
export const MAX_KEY_LENGTH = 255

/**
 * A UUIDv7 stamped this far ahead of our clock comes from a broken clock (AWS SigV4 tolerates the same 5
 * minutes of skew). Further out, the age check below would keep accepting the key long after its retention.
 */
export const UUIDV7_MAX_FUTURE_SKEW_MS = 5 * 60_000

const HOW_TO_FIX =
  'Send exactly one Idempotency-Key of 1 to 255 visible ASCII characters, bare or as a quoted string. Nothing was processed; retry with a valid key.'

/**
 * The key from the header's field lines: the IETF draft's structured-field string (`"..."`) or a bare token.
 * Throws a 400 error for anything else, before any store call.
 */
export function parseIdempotencyKey(fieldLines: readonly string[]): string {
  if (fieldLines.length === 0) {
    throw new IdempotencyKeyMissingError(
      'This request needs an Idempotency-Key header. Generate a unique key (a UUIDv7, for example) and send the same key again whenever you retry this request.',
    )
  }
  if (fieldLines.length > 1) throw invalid('is repeated')
  const value = trimWhitespace(fieldLines[0] as string)
  if (value === '') throw invalid('is empty')
  const key = value.startsWith('"') ? unquote(value) : bare(value)
  if (key.length === 0) throw invalid('is empty')
  if (key.length > MAX_KEY_LENGTH) throw invalid(`is ${key.length} characters long`)
  if (!/^[\x21-\x7e]+$/.test(key)) throw invalid('contains characters other than visible ASCII')
  return key
}

/**
 * A UUIDv7 key whose timestamp is outside [now - retention, now + skew] is refused: an older key's first use
 * may already be forgotten, so a retry with it would run again instead of replaying. Other formats pass.
 */
export function checkKeyAge(key: string, nowEpochMs: number, retentionSeconds: number): void {
  const match = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.exec(key)
  if (match === null) return
  const stampedEpochMs = Number.parseInt(`${match[1]}${match[2]}`, 16)
  if (stampedEpochMs < nowEpochMs - retentionSeconds * 1000) {
    throw new IdempotencyKeyInvalidError(
      `The Idempotency-Key is a UUIDv7 minted more than ${retentionSeconds} s ago, longer than requests are remembered, so a retry with it could run twice. Nothing was processed; send a new key.`,
    )
  }
  if (stampedEpochMs > nowEpochMs + UUIDV7_MAX_FUTURE_SKEW_MS) {
    throw new IdempotencyKeyInvalidError(
      'The Idempotency-Key is a UUIDv7 stamped in the future; check the client clock. Nothing was processed; send a key minted now.',
    )
  }
}

/** sf-string (RFC 9651 §3.3.3): printable ASCII between quotes, with only `\"` and `\\` as escapes. */
function unquote(value: string): string {
  let key = ''
  for (let i = 1; i < value.length; i++) {
    const char = value[i] as string
    if (char === '\\') {
      const next = value[++i]
      if (next !== '"' && next !== '\\') throw invalid('has a bad escape in its quoted string')
      key += next
    } else if (char === '"') {
      const rest = trimWhitespace(value.slice(i + 1))
      if (rest === '') return key
      throw rest.startsWith(',') ? invalid('holds more than one value') : invalid('has text after its quotes')
    } else if (char < ' ' || char > '~') {
      throw invalid('contains characters other than visible ASCII')
    } else {
      key += char
    }
  }
  throw invalid('has an unterminated quoted string')
}

/** Proxies and HTTP API v2 join repeated headers with commas, so a bare key cannot contain one. */
function bare(value: string): string {
  if (value.includes(',')) throw invalid('holds more than one value (a key with a comma must be quoted)')
  if (value.includes('"')) throw invalid('has a stray quote')
  return value
}

/** HTTP strips optional whitespace (space, tab) around a field value, never inside it. */
function trimWhitespace(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '')
}

function invalid(what: string): IdempotencyKeyInvalidError {
  return new IdempotencyKeyInvalidError(`The Idempotency-Key header ${what}. ${HOW_TO_FIX}`)
}

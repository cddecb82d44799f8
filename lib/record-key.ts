import { sha256 } from './fingerprint.js'

/** The namespace's function name when there is no Lambda context (tests, scripts, containers). */
export const LOCAL_FUNCTION_NAME = 'local'

/**
 * The one place a client's raw key becomes a record key: scoped by the namespace, then hashed, so the table
 * never holds the raw key. The engine and the operator CLI both call it, so the two can never disagree.
 */
export function recordKeyOf(namespace: string, rawKey: string): string {
  return `${namespace}#${sha256(rawKey)}`
}

/** The namespace when none is configured: the function's name and the operation, so neither shares keys. */
export function defaultNamespace(functionName: string | undefined, operation: string): string {
  return `${functionName ?? LOCAL_FUNCTION_NAME}#${operation}`
}

/** A record key ends in `#` and a SHA-256 in base64url (43 characters); the namespace is what precedes it. */
const RECORD_KEY = /^(.+)#[A-Za-z0-9_-]{43}$/

/** The namespace of a record key, or undefined for a key `recordKeyOf` did not make. */
export function namespaceOfRecordKey(recordKey: string): string | undefined {
  return RECORD_KEY.exec(recordKey)?.[1]
}

import type { CompletedRecord, InProgressRecord } from '../../lib/store/index.js'

/** A fixed instant, so every timestamp in a test reads as an offset from it. */
export const NOW_MS = Date.UTC(2026, 10, 27, 12, 0, 0)
export const NOW_SECONDS = Math.floor(NOW_MS / 1000)

export function inProgress(overrides: Partial<InProgressRecord> = {}): InProgressRecord {
  return {
    key: 'fn#handler#k',
    fingerprint: 'fp-1',
    token: 'token-A',
    status: 'IN_PROGRESS',
    leaseUntilEpochMs: NOW_MS + 30_000,
    expiresAtEpochSeconds: NOW_SECONDS + 86_400,
    ...overrides,
  }
}

export function completed(overrides: Partial<CompletedRecord> = {}): CompletedRecord {
  return {
    key: 'fn#handler#k',
    fingerprint: 'fp-1',
    token: 'token-A',
    status: 'COMPLETED',
    result: { encoding: 'json', json: '{"ok":true}' },
    completedAtEpochMs: NOW_MS - 1_000,
    expiresAtEpochSeconds: NOW_SECONDS + 86_400,
    ...overrides,
  }
}

/** A Lambda-like context whose deadline is `remainingMs` after creation, measured on the real clock. */
export function lambdaContext(remainingMs = 10_000, functionName = 'payments') {
  const deadline = Date.now() + remainingMs
  return { functionName, getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) }
}

const COLUMNS = [
  'key',
  'status',
  'token',
  'fingerprint',
  'expires_at_epoch_seconds',
  'lease_until_epoch_ms',
  'completed_at_epoch_ms',
  'result_encoding',
  'result_text',
  'result_bytes',
].join(', ')

/**
 * The store's statements for one table. Times come from the caller's clock as parameters (never `now()`), so the
 * conditions are `decide` exactly, with the engine's clock.
 *
 * Timeline of a key: absent → IN_PROGRESS (lease) → COMPLETED → past retention (counts as absent until the
 * cleanup deletes it). A claim takes the key while nobody holds it: no row, a row past its retention, or a lease
 * that ended for the same payload (a different payload is a mismatch, never a takeover). Mirrors `decide`.
 */
export function statementsFor(table: string) {
  return {
    // $1 key, $2 token, $3 fingerprint, $4 expiresAtEpochSeconds, $5 leaseUntilEpochMs, $6 now (s), $7 now (ms).
    // One row back: claimed, or the row that refused the claim, read in the same statement (as the statement
    // began: a row committed meanwhile can refuse the claim unseen, and the store then reads it again).
    acquire: `WITH claimed AS (
  INSERT INTO ${table} AS r (key, status, token, fingerprint, expires_at_epoch_seconds, lease_until_epoch_ms)
  VALUES ($1, 'IN_PROGRESS', $2, $3, $4, $5)
  ON CONFLICT (key) DO UPDATE SET
    status = 'IN_PROGRESS', token = EXCLUDED.token, fingerprint = EXCLUDED.fingerprint,
    expires_at_epoch_seconds = EXCLUDED.expires_at_epoch_seconds, lease_until_epoch_ms = EXCLUDED.lease_until_epoch_ms,
    completed_at_epoch_ms = NULL, result_encoding = NULL, result_text = NULL, result_bytes = NULL
  WHERE r.expires_at_epoch_seconds <= $6
     OR (r.status = 'IN_PROGRESS' AND r.lease_until_epoch_ms <= $7 AND r.fingerprint = EXCLUDED.fingerprint)
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM claimed) AS claimed, existing.*
FROM (SELECT 1) AS one
LEFT JOIN ${table} AS existing ON existing.key = $1 AND NOT EXISTS (SELECT 1 FROM claimed)`,
    // Fenced: only the attempt whose token holds the claim may complete it, and only while it is a claim (a
    // completion keeps its token, so a token-only fence would apply one sent again after it landed a second
    // time). $3.. are completionValues(record).
    complete: `UPDATE ${table} SET status = 'COMPLETED', fingerprint = $3, expires_at_epoch_seconds = $4,
  lease_until_epoch_ms = NULL, completed_at_epoch_ms = $5, result_encoding = $6, result_text = $7, result_bytes = $8
WHERE key = $1 AND token = $2 AND status = 'IN_PROGRESS'`,
    // Fenced as well. Nothing deleted: the store reads the record again to tell "already gone" or "completed by
    // this token" (success, left as it is) from "held by another token" (lease lost).
    release: `DELETE FROM ${table} WHERE key = $1 AND token = $2 AND status = 'IN_PROGRESS'`,
    get: `SELECT ${COLUMNS} FROM ${table} WHERE key = $1`,
    getMany: `SELECT ${COLUMNS} FROM ${table} WHERE key = ANY($1::text[])`,
  }
}

-- lambda-idempotency: the idempotency table on PostgreSQL 13+ (RDS, Aurora PostgreSQL).
-- Run once before first use (psql "$DATABASE_URL" -f <this file>), or call migrate(pool) from
-- lambda-idempotency/postgres, which runs these same statements. Safe to run again: IF NOT EXISTS.
-- The table name is idempotency_records; for another name or schema use migrate(pool, { tableName }).

CREATE TABLE IF NOT EXISTS "idempotency_records" (
  key text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
  token text NOT NULL,
  fingerprint text NOT NULL,
  expires_at_epoch_seconds bigint NOT NULL,
  lease_until_epoch_ms bigint,
  completed_at_epoch_ms bigint,
  result_encoding text,
  result_text text,
  result_bytes bytea
);

CREATE INDEX IF NOT EXISTS "idempotency_records_expires_at" ON "idempotency_records" (expires_at_epoch_seconds);

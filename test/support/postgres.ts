import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { migrate } from '../../lib/postgres/index.js'

/**
 * A pool on the PostgreSQL that test/global-setup.ts started (or DATABASE_URL named). Errors of idle clients are
 * ignored: a test that kills connections on purpose must not crash the worker through the pool's error event.
 */
export function testPool(max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max })
  pool.on('error', () => undefined)
  return pool
}

/**
 * A schema of its own for a test file: files run in parallel against one database, as they do against one
 * DynamoDB Local with unique table names. Returns the schema's name.
 */
export async function createTestSchema(pool: pg.Pool, prefix = 'test'): Promise<string> {
  const schema = `${prefix}_${randomUUID().replaceAll('-', '')}`
  await pool.query(`CREATE SCHEMA "${schema}"`)
  return schema
}

/** A migrated idempotency table in a fresh schema; returns its qualified name. */
export async function createIdempotencyTestTable(pool: pg.Pool, prefix = 'idem'): Promise<string> {
  const tableName = `${await createTestSchema(pool, prefix)}.idempotency_records`
  await migrate(pool, { tableName })
  return tableName
}

/** Drops a test schema and everything in it, for runs against a DATABASE_URL that outlives them. */
export async function dropTestSchema(pool: pg.Pool, schemaOrTable: string): Promise<void> {
  const schema = schemaOrTable.split('.')[0]
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
}

/**
 * `lambda-idempotency/postgres`: the idempotency store on PostgreSQL (RDS, Aurora PostgreSQL), where the handler's
 * own SQL commits in one transaction with its stored result. Needs `pg` (or any pool with its `query` and
 * `connect`); the root `lambda-idempotency` never loads this module. Guide: docs/sql.md.
 *
 * @module
 */

export { PostgresTransaction } from './lazy-transaction.js'
export type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from './pool.js'
export {
  type CleanupOptions,
  DEFAULT_POSTGRES_TABLE,
  deleteExpiredRecords,
  idempotencySchemaSql,
  idempotencySchemaStatements,
  migrate,
  type PostgresDialect,
  type PostgresSchemaOptions,
} from './schema.js'
export { PostgresStore, type PostgresStoreOptions } from './store.js'
export { postgresTransactionOf } from './transaction.js'

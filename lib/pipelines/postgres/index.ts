/**
 * `lambda-idempotency/pipelines/postgres`: the job store and the write helpers on PostgreSQL: merge on a natural
 * key, partition replace, and atomic swap behind a view. Every helper runs in the caller's transaction (the
 * run's, `postgresJobTransaction(run)`, so the partition and the run's record commit together), or in one of its
 * own when given a pool. Takes your pool (`pg`, or anything with its `query` and `connect`); needs neither the
 * AWS SDK nor the S3 client. Guide: docs/pipelines.md.
 *
 * @module
 */

export { PostgresJobStore, type PostgresJobStoreOptions } from './job-store.js'
export { type MergeRowsOptions, mergeRows } from './merge.js'
export { type ReplacePartitionOptions, replacePartition } from './replace.js'
export { PostgresRunTransaction, postgresJobTransaction } from './run-transaction.js'
export {
  DEFAULT_PIPELINE_RUNS_TABLE,
  migratePipelineRuns,
  type PipelineRunsSchemaOptions,
  pipelineRunsSchemaStatements,
} from './schema.js'
export { DEFAULT_ROWS_PER_STATEMENT, type PostgresQueryable, type Row } from './sql.js'
export { postgresViewSwap, type ViewSwap, type ViewSwapOptions } from './swap.js'

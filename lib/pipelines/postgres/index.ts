/**
 * `lambda-idempotency/pipelines/postgres`: the job store on PostgreSQL, whose runs write through a transaction
 * that commits with the run's record. Takes your pool (`pg`, or anything with its `query` and `connect`); needs
 * neither the AWS SDK nor the S3 client. Guide: docs/pipelines.md.
 *
 * @module
 */

export { PostgresJobStore, type PostgresJobStoreOptions } from './job-store.js'
export { PostgresRunTransaction, postgresJobTransaction } from './run-transaction.js'
export {
  DEFAULT_PIPELINE_RUNS_TABLE,
  migratePipelineRuns,
  type PipelineRunsSchemaOptions,
  pipelineRunsSchemaStatements,
} from './schema.js'

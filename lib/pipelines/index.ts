/**
 * `lambda-idempotency/pipelines`: jobs that can be re-run. `pipelineJob` claims one partition of a job (a date,
 * an hour) for one input version, replays the summary of a partition already done, and hands each run to the
 * write helpers, which make its output replace the partition instead of adding to it:
 * `lambda-idempotency/pipelines/postgres` (merge, partition replace, atomic swap),
 * `lambda-idempotency/pipelines/dynamodb` (upsert, versioned upsert, partition replace behind a pointer) and
 * `lambda-idempotency/pipelines/s3` (write-once objects, prefix replace behind a manifest). This entry point
 * loads none of them, nor any backend's client. Guide: docs/pipelines.md.
 *
 * Why a store of its own rather than `VersionStore`: a finished partition must replay its summary, which a
 * version store does not keep; input versions are opaque (an ETag, `v2`), not ordered numbers; and a forced
 * re-run of the same input version must run again, which a monotonic version can only fake. `JobStore` keeps
 * one record per (job, partition): the last completed run (input version, summary, run id) and the live claim.
 *
 * @module
 */

export { PartitionBusyError } from './errors.js'
export {
  type JobInvocation,
  type JobOutcome,
  type JobRun,
  jobKeyOf,
  type PipelineJob,
  type PipelineJobOptions,
  pipelineJob,
} from './job.js'
export {
  type CompletedRun,
  decideJob,
  type JobClaim,
  type JobClaimResult,
  type JobDecision,
  type JobState,
  type JobStore,
  type JobWritesClaim,
  type RunReason,
  runCompleted,
} from './job-store.js'
export { InMemoryJobStore } from './memory-job-store.js'

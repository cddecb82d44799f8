import type { PostgresPool } from '../../postgres/pool.js'
import { quotedTableName } from '../../postgres/schema.js'

/** The table `PostgresJobStore` uses unless told otherwise. */
export const DEFAULT_PIPELINE_RUNS_TABLE = 'pipeline_runs'

export interface PipelineRunsSchemaOptions {
  /** `name` or `schema.name`. @default 'pipeline_runs' */
  readonly tableName?: string
}

/**
 * The job store's table: one row per (job, partition), keyed `pipeline-run#job#partition`. The claim's columns
 * are set while a run holds the partition; the completed run's columns once one has finished. No retention: a
 * forgotten run would let a finished partition run again. Safe to run again (IF NOT EXISTS).
 */
export function pipelineRunsSchemaStatements(options: PipelineRunsSchemaOptions = {}): string[] {
  const table = quotedTableName(options.tableName ?? DEFAULT_PIPELINE_RUNS_TABLE)
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  key text PRIMARY KEY,
  claim_input_version text,
  token text,
  lease_until_epoch_ms bigint,
  input_version text,
  summary text,
  completed_by text,
  completed_at_epoch_ms bigint
)`,
  ]
}

/** Creates the job store's table if missing: safe on every deploy or cold start. */
export async function migratePipelineRuns(
  pool: PostgresPool,
  options: PipelineRunsSchemaOptions = {},
): Promise<void> {
  for (const statement of pipelineRunsSchemaStatements(options)) await pool.query(statement)
}

/**
 * `lambda-idempotency/cdk`: the idempotency table (its key and TTL attribute from the runtime's own schema, grants
 * limited to what the store sends), grants for pipeline jobs and their `dynamoDBPartitions` tables, and the
 * dashboard and alarms over the toolkit's outcome metrics.
 *
 * @module
 */

export {
  IDEMPOTENCY_PARTITION_KEY,
  IDEMPOTENCY_TABLE_ENV,
  IDEMPOTENCY_TTL_ATTRIBUTE,
} from '../dynamodb/schema.js'
export type {
  IdempotencyAlarmsOptions,
  IdempotencyDashboardProps,
  OutcomeAlarmOptions,
} from './dashboard-props.js'
export { STORE_OPERATIONS } from './dashboard-widgets.js'
export { DEFAULT_RUNBOOK_URL, IdempotencyDashboard } from './idempotency-dashboard.js'
export {
  IdempotencyTable,
  type IdempotencyTableImportOptions,
  type IdempotencyTableProps,
} from './idempotency-table.js'
export { IdempotencyTableBase, type IIdempotencyTable } from './idempotency-table-base.js'
export { ALARMED_OUTCOMES, type AlarmSettings, OUTCOME_ALARM_DEFAULTS } from './outcome-alarms.js'
export { OUTCOME_GUIDE, type OutcomeGuide } from './outcome-guide.js'
export {
  DYNAMODB_PARTITIONS_ACTIONS,
  grantDynamoDBPartitions,
  PIPELINE_JOB_STORE_ACTIONS,
} from './pipeline-grants.js'
export { IDEMPOTENCY_KEY_ACTIONS, IDEMPOTENCY_STORE_ACTIONS } from './store-actions.js'

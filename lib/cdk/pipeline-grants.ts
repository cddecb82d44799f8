import type { ITable } from 'aws-cdk-lib/aws-dynamodb'
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam'
import { IDEMPOTENCY_KEY_ACTIONS } from './store-actions.js'

/**
 * Every DynamoDB action `DynamoDBJobStore` (`lambda-idempotency/pipelines/dynamodb`) performs on the idempotency
 * table: claim, complete and release are conditional UpdateItems, reads are GetItems. A completion that carries
 * the run's writes is a TransactWriteItems, which IAM authorises action by action: its part on this table is the
 * same Update. No PutItem, no DeleteItem: a job's records are never replaced or removed.
 *
 * test/cdk/pipeline-actions.test.ts runs a job against DynamoDB Local and fails if this list drifts from the calls
 * it really makes.
 */
export const PIPELINE_JOB_STORE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const

/**
 * Every DynamoDB action `dynamoDBPartitions` performs on its data table, writers and readers alike: GetItem for
 * the partition's pointer, Query for a run's rows and markers, BatchWriteItem for the rows (and their TTL once
 * superseded), PutItem for run markers and, inside the completion's TransactWriteItems, the pointer's switch.
 * No Scan, no DeleteItem: superseded rows leave by TTL.
 */
export const DYNAMODB_PARTITIONS_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
] as const

/**
 * Grants exactly `DYNAMODB_PARTITIONS_ACTIONS` on the table itself (not its indexes, which the helper never
 * reads), plus use of its customer-managed key when it has one: what a job writing through `dynamoDBPartitions`,
 * or a reader calling its `read`, needs on that table.
 *
 * @example
 * ```ts
 * grantDynamoDBPartitions(reportsTable, dailyTotalsFunction)
 * idempotency.grantPipelineJobs(dailyTotalsFunction)
 * ```
 */
export function grantDynamoDBPartitions(table: ITable, grantee: IGrantable): Grant {
  // Table.grant would add `<arn>/index/*` once the table has an index: a wildcard the helper has no use for.
  // On the grantee's policy, as Table.grant does for a grantee in the same account.
  const grant = Grant.addToPrincipal({
    grantee,
    actions: [...DYNAMODB_PARTITIONS_ACTIONS],
    resourceArns: [table.tableArn],
  })
  table.encryptionKey?.grant(grantee, ...IDEMPOTENCY_KEY_ACTIONS)
  return grant
}

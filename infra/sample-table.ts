import {
  AttributeType,
  BillingMode,
  type ITable,
  Table,
  TableEncryption,
  type TableProps,
} from 'aws-cdk-lib/aws-dynamodb'
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam'
import type { Construct } from 'constructs'

/**
 * The sample's tables share one baseline: a string partition key, on-demand billing, AWS-managed encryption and
 * point-in-time recovery. Each caller adds what differs (streams, TTL, and whether the data outlives the stack).
 */
export function sampleTable(
  scope: Construct,
  id: string,
  partitionKey: string,
  props: Omit<TableProps, 'partitionKey'> & Required<Pick<TableProps, 'removalPolicy'>>,
): Table {
  return new Table(scope, id, {
    partitionKey: { name: partitionKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...props,
  })
}

/**
 * Grants item `actions` on the table's own ARN only. Table.grant also names `<arn>/index/*` once the table has an
 * index: item actions never apply to an index, and the wildcard is one cdk-nag (IAM5) rightly flags.
 */
export function grantItems(table: ITable, grantee: IGrantable, ...actions: string[]): Grant {
  return Grant.addToPrincipal({ grantee, actions, resourceArns: [table.tableArn] })
}

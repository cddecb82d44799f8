import { AttributeType, BillingMode, Table, TableEncryption, type TableProps } from 'aws-cdk-lib/aws-dynamodb'
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

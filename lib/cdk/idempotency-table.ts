import { RemovalPolicy } from 'aws-cdk-lib'
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb'
import type { IKey } from 'aws-cdk-lib/aws-kms'
import type { Construct } from 'constructs'
import { IDEMPOTENCY_PARTITION_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../dynamodb/schema.js'
import { IdempotencyTableBase, type IIdempotencyTable } from './idempotency-table-base.js'

export interface IdempotencyTableProps {
  /**
   * The table's physical name. Leave it to CloudFormation unless something outside the stack must know it:
   * a fixed name blocks replacing the table.
   *
   * @default - a name CloudFormation generates
   */
  readonly tableName?: string
  /**
   * Billing mode. Idempotency traffic follows request traffic (one write per request, bursts on retries), which
   * on-demand absorbs without throttling the very retries the table exists for. PROVISIONED gets the Table
   * construct's default capacity (5 reads, 5 writes); adjust it through `table.node.defaultChild`.
   *
   * @default BillingMode.PAY_PER_REQUEST
   */
  readonly billingMode?: BillingMode
  /**
   * A customer-managed KMS key to encrypt the table with; grants then include its use.
   *
   * @default - the AWS-managed key `aws/dynamodb`
   */
  readonly encryptionKey?: IKey
  /**
   * Point-in-time recovery. Losing the table turns every stored result into a fresh run of its handler.
   *
   * @default true
   */
  readonly pointInTimeRecovery?: boolean
  /**
   * DynamoDB deletion protection: the table cannot be deleted, by CloudFormation or anyone, until it is off.
   *
   * @default true
   */
  readonly deletionProtection?: boolean
  /**
   * What happens to the table when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy
}

export interface IdempotencyTableImportOptions {
  /** The key the imported table is encrypted with, if it uses a customer-managed one. @default - none */
  readonly encryptionKey?: IKey
}

/**
 * The DynamoDB table behind `DynamoDBStore`, with its key and TTL attribute taken from the runtime's own schema
 * (lib/dynamodb/schema.ts), so the two cannot disagree.
 *
 * One region only. Do not add replicas (`replicationRegions`) in the default multi-region eventual consistency
 * mode: replicas resolve concurrent writes last-writer-wins, and a conditional write in one region does not see
 * a concurrent one in another, so two regions could both acquire one key and run the handler twice. Multi-region
 * strong consistency (MRSC) makes conditional writes safe across regions, but it limits transactions and TTL,
 * which the store relies on (atomic completion, retention); it is not offered here. To serve several regions,
 * deploy one table per region and pin each client's requests to one region.
 */
export class IdempotencyTable extends IdempotencyTableBase {
  /** Uses an idempotency table that already exists (created by another stack or by hand). */
  static fromTableName(
    scope: Construct,
    id: string,
    tableName: string,
    options: IdempotencyTableImportOptions = {},
  ): IIdempotencyTable {
    return new ImportedIdempotencyTable(scope, id, tableName, options)
  }

  readonly table: Table
  readonly encryptionKey?: IKey

  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id)
    this.encryptionKey = props.encryptionKey
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: IDEMPOTENCY_PARTITION_KEY, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
      billingMode: props.billingMode ?? BillingMode.PAY_PER_REQUEST,
      encryption: props.encryptionKey ? TableEncryption.CUSTOMER_MANAGED : TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery ?? true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    })
  }
}

class ImportedIdempotencyTable extends IdempotencyTableBase {
  readonly table: ITable
  readonly encryptionKey?: IKey

  constructor(scope: Construct, id: string, tableName: string, options: IdempotencyTableImportOptions) {
    super(scope, id)
    this.encryptionKey = options.encryptionKey
    this.table = Table.fromTableAttributes(this, 'Table', {
      tableName,
      encryptionKey: options.encryptionKey,
    })
  }
}

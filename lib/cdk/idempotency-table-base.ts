import type { ITable } from 'aws-cdk-lib/aws-dynamodb'
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam'
import type { IKey } from 'aws-cdk-lib/aws-kms'
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda'
import { Construct } from 'constructs'
import { IDEMPOTENCY_TABLE_ENV } from '../dynamodb/schema.js'
import { PIPELINE_JOB_STORE_ACTIONS } from './pipeline-grants.js'
import { IDEMPOTENCY_KEY_ACTIONS, IDEMPOTENCY_STORE_ACTIONS } from './store-actions.js'

/** An idempotency table, created by this stack or imported: what functions need to use it as their store. */
export interface IIdempotencyTable {
  /** The underlying table, for metrics, alarms and anything this interface does not cover. */
  readonly table: ITable
  readonly tableName: string
  readonly tableArn: string
  /** The customer-managed key the table is encrypted with, if any. */
  readonly encryptionKey?: IKey
  /**
   * Grants exactly the actions `DynamoDBStore` performs on this table (see `IDEMPOTENCY_STORE_ACTIONS`), plus
   * use of the table's customer-managed key when it has one. Nothing on other tables, no scans, no DDL.
   */
  grantIdempotency(grantee: IGrantable): Grant
  /**
   * Grants exactly the actions `DynamoDBJobStore` performs on this table (see `PIPELINE_JOB_STORE_ACTIONS`), plus
   * use of its customer-managed key when it has one: for a function that runs `pipelineJob`s and handles no
   * idempotent requests. Set `IDEMPOTENCY_TABLE_NAME` yourself (`fn.addEnvironment`), or pass the table's name.
   */
  grantPipelineJobs(grantee: IGrantable): Grant
  /**
   * Makes this table the function's idempotency store: `grantIdempotency(fn)` and the `IDEMPOTENCY_TABLE_NAME`
   * variable, which `new DynamoDBStore()` reads when it is given no table name.
   */
  connect(fn: LambdaFunction): Grant
}

export abstract class IdempotencyTableBase extends Construct implements IIdempotencyTable {
  abstract readonly table: ITable
  abstract readonly encryptionKey?: IKey

  get tableName(): string {
    return this.table.tableName
  }

  get tableArn(): string {
    return this.table.tableArn
  }

  grantIdempotency(grantee: IGrantable): Grant {
    const grant = this.table.grant(grantee, ...IDEMPOTENCY_STORE_ACTIONS)
    this.encryptionKey?.grant(grantee, ...IDEMPOTENCY_KEY_ACTIONS)
    return grant
  }

  grantPipelineJobs(grantee: IGrantable): Grant {
    const grant = this.table.grant(grantee, ...PIPELINE_JOB_STORE_ACTIONS)
    this.encryptionKey?.grant(grantee, ...IDEMPOTENCY_KEY_ACTIONS)
    return grant
  }

  connect(fn: LambdaFunction): Grant {
    fn.addEnvironment(IDEMPOTENCY_TABLE_ENV, this.tableName)
    return this.grantIdempotency(fn)
  }
}

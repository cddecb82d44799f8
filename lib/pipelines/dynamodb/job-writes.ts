import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb'
import { CollectedWrites } from '../../store/collected-writes.js'
import type { JobRun } from '../job.js'

/** One action of a TransactWriteItems request, in lib-dynamodb's plain JavaScript values. */
export type DynamoDBTransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number]

const BRAND = Symbol.for('lambda-idempotency.pipelines.dynamodb-job-writes')

/** A run's writes on DynamoDB: actions sent in one TransactWriteItems with its completion (99 at most). */
export class DynamoDBJobWrites extends CollectedWrites<DynamoDBTransactItem> {
  /** Read by `dynamoDBJobWrites`: the writes may come from the other build (ESM or CommonJS) of this package. */
  readonly [BRAND] = true
}

/**
 * The writes a run of a `DynamoDBJobStore` job joins to its completion: they land in one transaction with the
 * run's record, only while the run holds its partition. Throws when the job's store is not a `DynamoDBJobStore`.
 */
export function dynamoDBJobWrites(run: JobRun): DynamoDBJobWrites {
  const writes = run.writes<Partial<DynamoDBJobWrites>>()
  if (writes[BRAND] !== true) throw new TypeError("This helper needs a DynamoDBJobStore as the job's store")
  return writes as DynamoDBJobWrites
}

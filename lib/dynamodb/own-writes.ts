import type { TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { CollectedWrites } from '../store/collected-writes.js'
import type { OwnWritesClaim } from '../store/interface.js'

/** TransactWriteItems takes 100 actions; the completion's own update is one of them. */
const DYNAMODB_MAX_OWN_WRITES = 99

/** What `openOwnWrites` gives a handler on DynamoDB: writes committed in one TransactWriteItems with its result. */
export type DynamoDBOwnWrites = CollectedWrites<TransactWriteItem>

export const dynamoDBOwnWrites = (claim?: OwnWritesClaim): DynamoDBOwnWrites =>
  new CollectedWrites<TransactWriteItem>(DYNAMODB_MAX_OWN_WRITES, claim?.assertWritable)

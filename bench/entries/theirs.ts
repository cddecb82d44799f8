import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency'
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware'
import middy from '@middy/core'

/** The same handler made idempotent the Powertools way, with the same key and payload check as ours. */
export const handler = middy(async (event: { orderId: string }) => ({ orderId: event.orderId })).use(
  makeHandlerIdempotent({
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'idempotency' }),
    config: new IdempotencyConfig({ eventKeyJmesPath: 'orderId', payloadValidationJmesPath: '@' }),
  }),
)

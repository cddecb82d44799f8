import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb'
import type { Item } from './dynamodb.js'

const ANSWER = Object.freeze({ $metadata: Object.freeze({}) })

/**
 * A client that answers at once, so timings show the library's own CPU and nothing of the network or the SDK's
 * request pipeline. Every call succeeds, except that with `existing` the conditional PutItem (both libraries'
 * acquire) is refused with that item, as DynamoDB does with `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
 *
 * It is a plain object rather than aws-sdk-client-mock, which spends about 65 µs of its own per call. It has
 * the `config` and `middlewareStack` members Powertools checks before it accepts a client as an SDK v3 client.
 */
export function stubClient(existing?: Item): DynamoDBClient {
  // One exception reused: constructing it (and its stack trace) is the SDK's cost, not the library's.
  const refusal =
    existing === undefined
      ? undefined
      : new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: existing,
        })
  const stub = {
    config: {},
    middlewareStack: { identify: () => [], addRelativeTo: () => undefined },
    send(command: object): Promise<unknown> {
      if (refusal !== undefined && command instanceof PutItemCommand) return Promise.reject(refusal)
      return Promise.resolve(ANSWER)
    },
    destroy: () => undefined,
  }
  return stub as unknown as DynamoDBClient
}

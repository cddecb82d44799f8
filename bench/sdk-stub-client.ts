import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { Item } from './dynamodb.js'

/** What DynamoDB's JSON protocol answers with; the SDK reads the error's type from the body's `__type`. */
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0' }
const EMPTY_BODY = new TextEncoder().encode('{}')

interface StubRequest {
  readonly headers: Record<string, string>
}

/**
 * A real DynamoDBClient whose HTTP handler answers at once: every request still goes through the SDK's
 * middleware stack, is serialized, signed with SigV4 and its answer parsed, as in a Lambda function, and only the
 * network is left out. `stubClient`'s bare `send` shows the library's own CPU; this one shows what a function
 * pays per invocation, SDK included, so a library that makes more calls, or bigger ones, pays for them here.
 *
 * With `existing`, the conditional PutItem (both libraries' acquire) is refused with that item in the body, as
 * DynamoDB answers `ReturnValuesOnConditionCheckFailure: ALL_OLD`; every other request succeeds with `{}`.
 */
export function sdkStubClient(existing?: Item): DynamoDBClient {
  const refusal =
    existing === undefined
      ? undefined
      : new TextEncoder().encode(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
            message: 'The conditional request failed',
            Item: existing,
          }),
        )
  const requestHandler = {
    handle: async (request: StubRequest) => {
      const refused = refusal !== undefined && request.headers['x-amz-target'] === 'DynamoDB_20120810.PutItem'
      return {
        response: {
          statusCode: refused ? 400 : 200,
          reason: refused ? 'Bad Request' : 'OK',
          headers: JSON_HEADERS,
          body: refused ? refusal : EMPTY_BODY,
        },
      }
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  }
  return new DynamoDBClient({
    region: 'eu-west-1',
    // Static keys: signing still runs in full, but no provider chain is searched per call.
    credentials: { accessKeyId: 'AKIDBENCHSTUB', secretAccessKey: 'bench-stub-secret' },
    // No retries: a refused acquire is an answer, not a fault, and neither library retries it.
    maxAttempts: 1,
    requestHandler,
  })
}

import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { DynamoDBStore } from 'lambda-idempotency'
import { type HttpEvent, httpIdempotency, makeHttpIdempotent, problemResponse } from 'lambda-idempotency/http'

// The HTTP preset without Middy: httpIdempotency is only referenced, so Middy is not installed.
export const handler = makeHttpIdempotent(
  async (event: APIGatewayProxyEventV2) => ({ statusCode: 201, body: event.body ?? '{}' }),
  {
    store: new DynamoDBStore(),
    namespace: 'payments#create',
    principal: (event: HttpEvent) => ('routeKey' in event ? event.requestContext.accountId : undefined),
  },
)

export const middleware = httpIdempotency
export const problem = problemResponse

import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { idempotencyOf, makeIdempotent } from 'lambda-idempotency'
import { DynamoDBStore, documentWrites, idempotencyTableDefinition } from 'lambda-idempotency/dynamodb'

// The store on a DocumentClient the application already has, and own writes as plain values.
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}))

export const handler = makeIdempotent(
  async (event: { paymentId: string; amount: number }, context: { functionName: string }) => {
    idempotencyOf(context)?.addToCompletion(
      ...documentWrites([{ Put: { TableName: 'payments', Item: { ...event, status: 'paid' } } }]),
    )
    return { paid: event.paymentId }
  },
  { store: new DynamoDBStore({ client: documents }), key: (event) => event.paymentId },
)

export const definition = idempotencyTableDefinition('idempotency')

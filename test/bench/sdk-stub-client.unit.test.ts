import { ConditionalCheckFailedException, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { sdkStubClient } from '../../bench/sdk-stub-client.js'

/** The CPU bench's figures are only as honest as its stub: it must answer as DynamoDB does, through the SDK. */
describe("the bench's SDK-like client stub", () => {
  const put = new PutItemCommand({ TableName: 'records', Item: { id: { S: 'k' } } })

  it('signs and sends every request through the real SDK pipeline, and parses the answer', async () => {
    const client = sdkStubClient()
    const seen: string[] = []
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> }
        seen.push(request.headers.authorization ?? 'unsigned')
        return next(args)
      },
      { step: 'finalizeRequest', priority: 'low' },
    )
    const answer = await client.send(put)
    expect(answer.$metadata.httpStatusCode).toBe(200)
    expect(seen).toEqual([expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDBENCHSTUB\//)])
  })

  it('refuses the acquire with the existing item, as ReturnValuesOnConditionCheckFailure ALL_OLD does', async () => {
    const existing = { id: { S: 'k' }, status: { S: 'COMPLETED' } }
    const client = sdkStubClient(existing)
    const refusal = await client.send(put).catch((error: unknown) => error)
    expect(refusal).toBeInstanceOf(ConditionalCheckFailedException)
    expect((refusal as ConditionalCheckFailedException).Item).toEqual(existing)
    const update = new UpdateItemCommand({
      TableName: 'records',
      Key: { id: { S: 'k' } },
      UpdateExpression: 'SET a = :a',
      ExpressionAttributeValues: { ':a': { S: 'b' } },
    })
    expect((await client.send(update)).$metadata.httpStatusCode).toBe(200)
  })
})

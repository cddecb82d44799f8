import type { TestProject } from 'vitest/node'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.js'

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string
  }
}

/** One DynamoDB Local per run, shared by every test file; each test makes its own uniquely named tables. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.DYNAMODB_ENDPOINT
  if (existing) {
    project.provide('dynamodbEndpoint', existing)
    return
  }
  const db = await startDynamoDBLocal({ inMemory: true })
  process.env.DYNAMODB_ENDPOINT = db.endpoint
  project.provide('dynamodbEndpoint', db.endpoint)
  return async () => {
    await db.stop()
    delete process.env.DYNAMODB_ENDPOINT
  }
}

import type { TestProject } from 'vitest/node'
import { startDynamoDBLocal } from '../scripts/dynamodb-local.js'
import { startPostgresLocal } from '../scripts/postgres-local.js'

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string
    databaseUrl: string
  }
}

type Stop = () => Promise<void>

/**
 * One DynamoDB Local and one PostgreSQL per run, shared by every test file; each test makes its own uniquely named
 * tables (DynamoDB) or schema (PostgreSQL). Both start at once, so PostgreSQL adds nothing to the run's start.
 * `DYNAMODB_ENDPOINT` and `DATABASE_URL` name running ones instead.
 */
export default async function setup(project: TestProject): Promise<Stop> {
  const started = await Promise.allSettled([dynamodb(project), postgres(project)])
  const stops = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []))
  const stopAll = async () => {
    await Promise.all(stops.map((stop) => stop()))
  }
  const failed = started.find((outcome) => outcome.status === 'rejected')
  if (failed !== undefined) {
    await stopAll()
    throw failed.reason
  }
  return stopAll
}

async function dynamodb(project: TestProject): Promise<Stop> {
  const existing = process.env.DYNAMODB_ENDPOINT
  if (existing) {
    project.provide('dynamodbEndpoint', existing)
    return async () => undefined
  }
  const db = await startDynamoDBLocal({ inMemory: true })
  process.env.DYNAMODB_ENDPOINT = db.endpoint
  project.provide('dynamodbEndpoint', db.endpoint)
  return async () => {
    await db.stop()
    delete process.env.DYNAMODB_ENDPOINT
  }
}

async function postgres(project: TestProject): Promise<Stop> {
  const existing = process.env.DATABASE_URL
  if (existing) {
    project.provide('databaseUrl', existing)
    return async () => undefined
  }
  const db = await startPostgresLocal()
  process.env.DATABASE_URL = db.url
  project.provide('databaseUrl', db.url)
  return async () => {
    await db.stop()
    delete process.env.DATABASE_URL
  }
}

import { randomUUID } from 'node:crypto'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { Context } from 'aws-lambda'
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { makeHttpIdempotent } from '../../lib/http/index.js'
import {
  DynamoDBStore,
  IdempotencyStoreMisconfiguredError,
  IdempotencyStoreUnavailableError,
  makeIdempotent,
} from '../../lib/index.js'
import { DynamoDBJobStore } from '../../lib/pipelines/dynamodb/index.js'
import { pipelineJob } from '../../lib/pipelines/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { httpApiEvent } from '../support/http-events.js'
import { lambdaContext } from '../support/records.js'

// A first run on a developer's machine: what is missing must be named, as the operator's to fix, never
// "retry later". The handler never runs without its key.

const AWS_ENV = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_PROFILE',
]
const saved = { ...process.env }
afterEach(() => {
  for (const name of [...AWS_ENV, 'DYNAMODB_ENDPOINT', 'AWS_EC2_METADATA_DISABLED', 'AWS_CONFIG_FILE'])
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
})

/** As on a fresh machine: no region, no credentials, no AWS config file, no instance metadata to ask. */
function noAwsConfiguration(): void {
  for (const name of AWS_ENV) delete process.env[name]
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config'
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials'
  process.env.AWS_EC2_METADATA_DISABLED = 'true'
}

let existingTable: string
beforeAll(async () => {
  existingTable = await createIdempotencyTestTable(testDynamoDBClient())
})

const body = vi.fn(async () => 'charged')

async function failureOf(store: DynamoDBStore, logger = { warn: vi.fn(), error: vi.fn() }) {
  body.mockClear()
  const handler = makeIdempotent(body, { store, key: () => randomUUID(), logger })
  const error = await handler({}, lambdaContext()).catch((thrown: unknown) => thrown)
  expect(body).not.toHaveBeenCalled()
  return { error, logger }
}

describe('a DynamoDB store that is not set up', () => {
  it('names a missing table to a pipeline job too, instead of asking it to retry later', async () => {
    const tableName = `no-such-table-${randomUUID()}`
    const job = pipelineJob({
      store: new DynamoDBJobStore({ tableName, client: testDynamoDBClient() }),
      name: 'totals',
    })
    let ran = false
    const error = await job
      .run({ partition: '2024-01-15' }, async () => {
        ran = true
      })
      .catch((thrown: unknown) => thrown)

    expect(ran).toBe(false)
    expect(error).toBeInstanceOf(IdempotencyStoreMisconfiguredError)
    expect(error).toMatchObject({ statusCode: 500, problem: 'table-missing' })
    expect((error as Error).message).toContain(tableName)
  })

  it('names a missing table, says how to create it, logs it as an error, and never runs the handler', async () => {
    const tableName = `no-such-table-${randomUUID()}`
    const store = new DynamoDBStore({ tableName, client: testDynamoDBClient() })

    const { error, logger } = await failureOf(store)

    expect(error).toBeInstanceOf(IdempotencyStoreMisconfiguredError)
    expect(error).toMatchObject({ statusCode: 500, code: 'store-misconfigured', problem: 'table-missing' })
    expect((error as Error).message).toContain(`'${tableName}' does not exist`)
    expect((error as Error).message).toContain(`npx lambda-idempotency local --table ${tableName}`)
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining(tableName), expect.anything())
  })

  it('answers an HTTP caller with a fixed 500 problem that names nothing of the set-up', async () => {
    const tableName = `no-such-table-${randomUUID()}`
    const route = makeHttpIdempotent(async () => ({ statusCode: 201 }), {
      store: new DynamoDBStore({ tableName, client: testDynamoDBClient() }),
      logger: { warn: () => undefined, error: () => undefined },
    })
    const headers = { 'Idempotency-Key': randomUUID(), 'Content-Type': 'application/json' }

    const answer = await route(
      httpApiEvent({ sub: 'user-1', headers, body: '{}' }),
      lambdaContext() as unknown as Context,
    )

    expect(answer.statusCode).toBe(500)
    expect(answer.headers?.['Content-Type']).toBe('application/problem+json')
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({
      type: expect.stringMatching(/#store-misconfigured$/),
    })
    expect(answer.body).not.toContain(tableName)
  })

  it('names a missing region as the set-up to fix', async () => {
    noAwsConfiguration()
    const store = new DynamoDBStore({
      tableName: existingTable,
      client: new DynamoDBClient({ maxAttempts: 1 }),
    })

    const { error } = await failureOf(store)

    expect(error).toMatchObject({ code: 'store-misconfigured', problem: 'region-missing' })
    expect((error as Error).message).toMatch(/Set AWS_REGION .* or DYNAMODB_ENDPOINT/)
  })

  it('names missing credentials as the set-up to fix, for an endpoint that needs them', async () => {
    noAwsConfiguration()
    const client = new DynamoDBClient({ region: 'eu-west-1', maxAttempts: 1 })
    const store = new DynamoDBStore({ tableName: existingTable, client })

    const { error } = await failureOf(store)

    expect(error).toMatchObject({ code: 'store-misconfigured', problem: 'credentials-missing' })
  })

  it('keeps an unreachable endpoint a 503 outage to retry', async () => {
    const client = new DynamoDBClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    })
    const { error } = await failureOf(new DynamoDBStore({ tableName: existingTable, client }))

    expect(error).toBeInstanceOf(IdempotencyStoreUnavailableError)
    expect(error).toMatchObject({ statusCode: 503 })
  })
})

describe('a DynamoDB store on a loopback DYNAMODB_ENDPOINT', () => {
  it('needs no region and no credentials: a run, then a replay, on a machine with no AWS set-up', async () => {
    noAwsConfiguration()
    process.env.DYNAMODB_ENDPOINT = inject('dynamodbEndpoint')
    let runs = 0
    const handler = makeIdempotent(async () => ++runs, {
      store: new DynamoDBStore({ tableName: existingTable }),
      key: () => 'first-run',
    })

    expect(await handler({}, lambdaContext())).toBe(1)
    expect(await handler({}, lambdaContext())).toBe(1)
  })

  it('serves a pipeline job on the same table the same way, with no region and no credentials', async () => {
    noAwsConfiguration()
    process.env.DYNAMODB_ENDPOINT = inject('dynamodbEndpoint')
    const job = pipelineJob<{ rows: number }>({
      store: new DynamoDBJobStore({ tableName: existingTable }),
      name: `loopback-${randomUUID()}`,
    })

    expect(await job.run({ partition: '2024-01-15' }, async () => ({ rows: 3 }))).toMatchObject({
      kind: 'ran',
    })
    expect(await job.run({ partition: '2024-01-15' }, async () => ({ rows: 9 }))).toMatchObject({
      kind: 'replayed',
      summary: { rows: 3 },
    })
  })
})

import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import {
  type DynamoDBLocal,
  type DynamoDBLocalOptions,
  startDynamoDBLocal as startFromProject,
} from '../lib/local/dynamodb-local.js'
import { isMainModule, serveUntilStopped } from './supervise.js'

export type { DynamoDBLocal, DynamoDBLocalOptions }

/** This repository: its node_modules has amplify-dynamodb-simulator, whatever the working directory. */
const repoRoot = fileURLToPath(new URL('..', import.meta.url))

/** Client settings for DynamoDB Local: it accepts any credentials but the SDK insists on having some. */
export function localDynamoDBClientConfig(endpoint: string): DynamoDBClientConfig {
  return {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  }
}

/**
 * DynamoDB Local for the repository's tests, local API and benchmarks: the launcher `lambda-idempotency local`
 * uses (lib/local), so it listens on 127.0.0.1 only and cannot outlive this process.
 */
export function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  return startFromProject({ projectDir: repoRoot, ...options })
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'in-memory': { type: 'boolean' }, 'db-path': { type: 'string' }, port: { type: 'string' } },
  })
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`--port expects a port number, got ${values.port}`)
  }
  const inMemory = values['in-memory'] ?? false
  const db = await startDynamoDBLocal({ inMemory, dbPath: values['db-path'], port })
  const where = inMemory ? 'in memory' : `data in ${resolve(values['db-path'] ?? '.local/dynamodb')}`
  console.log(`DynamoDB Local listening on ${db.endpoint} (${where}, java pid ${db.pid})`)
  console.log(`export DYNAMODB_ENDPOINT=${db.endpoint}`)
  await serveUntilStopped('DynamoDB Local', db)
}

if (isMainModule(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error.message)
    process.exit(1)
  })
}

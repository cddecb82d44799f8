import { realpathSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { createPaymentHandler } from '../functions/handlers/create-payment.js'
import { getPaymentHandler } from '../functions/handlers/get-payment.js'
import { gatewayLatencyMs as latencyFromEnv } from '../functions/shared/environment.js'
import { createSimulatedGateway } from '../functions/shared/gateway.js'
import { PAYMENTS_ENV, type SampleTableNames } from '../functions/shared/tables.js'
import type { IdempotencyLogger } from '../lib/index.js'
import { type DynamoDBLocal, localDynamoDBClientConfig, startDynamoDBLocal } from './dynamodb-local.js'
import { ConsoleRecorder } from './local-api/console/recorder.js'
import { type LocalEventFlow, startEventFlow } from './local-api/event-flow.js'
import { FaultSwitch } from './local-api/local-routes.js'
import { createApiServer } from './local-api/server.js'
import { DEFAULT_LOCAL_TABLES, ensureTables } from './local-api/tables.js'

export interface LocalApiOptions {
  /** @default 3000; 0 picks a free port */
  port?: number
  /** Keep DynamoDB Local's data in memory only. @default false */
  inMemory?: boolean
  /** Where DynamoDB Local keeps its data. @default .local/dynamodb in the repository */
  dbPath?: string
  /** A DynamoDB (Local) that is already running; none is started then. */
  endpoint?: string
  /** @default 50 */
  gatewayLatencyMs?: number
  tables?: SampleTableNames
  /**
   * Run the event flow: the outbox poller, the publisher, the in-process queue and fulfil-order. Tests of the
   * HTTP contract turn it off, since fulfil-order's records land in the idempotency table they watch.
   * @default true
   */
  events?: boolean
  /** Receives one line per request and every warning. @default console.log */
  log?: (line: string) => void
}

export interface LocalApi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** The DynamoDB endpoint the handlers use. */
  readonly endpoint: string
  /** Settles if the DynamoDB Local this API started exits; undefined when it uses an existing endpoint. */
  readonly databaseExited?: Promise<void>
  /** Stops taking requests, lets running invocations finish, then stops DynamoDB Local if it started one. */
  stop(): Promise<void>
}

const DEFAULT_PORT = 3000
const DEFAULT_DB_PATH = fileURLToPath(new URL('../.local/dynamodb', import.meta.url))

/** The sample payments API on 127.0.0.1, with the deployed handlers behind a stand-in for API Gateway. */
export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const log = options.log ?? console.log
  const db = options.endpoint === undefined ? await startDatabase(options) : undefined
  const endpoint = options.endpoint ?? (db as DynamoDBLocal).endpoint
  const client = new DynamoDBClient(localDynamoDBClientConfig(endpoint))
  let events: LocalEventFlow | undefined
  try {
    const tables = options.tables ?? DEFAULT_LOCAL_TABLES
    await ensureTables(client, tables)
    const latencyMs = options.gatewayLatencyMs ?? latencyFromEnv(undefined)
    const faults = new FaultSwitch()
    // The console's tap: outcomes, charges and the keys requests sent, in this process's memory only.
    const recorder = new ConsoleRecorder()
    const gateway = recorder.tapGateway(
      createSimulatedGateway({ client, ledgerTableName: tables.gatewayLedger, latencyMs, faults }),
    )
    const logger: IdempotencyLogger = {
      warn: (message, fields) => log(`${message} ${JSON.stringify(fields)}`),
    }
    // Stands in for the outbox's stream and the fulfilment queue; the publisher and consumer are the deployed ones.
    if (options.events !== false)
      events = startEventFlow({ client, tables, logger, log, onOutcome: recorder.onOutcome })
    const { server, drain } = createApiServer({
      routes: [
        {
          method: 'POST',
          path: '/payments',
          functionName: 'create-payment',
          handler: createPaymentHandler(
            { client, tables, gateway },
            { logger, onOutcome: recorder.onOutcome },
          ),
        },
        {
          method: 'GET',
          path: '/payments/{paymentId}',
          functionName: 'get-payment',
          handler: getPaymentHandler({ client, paymentsTableName: tables.payments }),
        },
      ],
      local: {
        client,
        ledgerTableName: tables.gatewayLedger,
        faults,
        gatewayLatencyMs: latencyMs,
        events,
        console: {
          client,
          recorder,
          tables: { idempotency: tables.idempotency, gatewayLedger: tables.gatewayLedger },
        },
      },
      log,
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? DEFAULT_PORT, '127.0.0.1', resolve)
    })
    const { port } = server.address() as AddressInfo
    let stopped: Promise<void> | undefined
    const stop = () => {
      stopped ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        await drain()
        server.closeAllConnections()
        await closed
        await events?.stop()
        client.destroy()
        await db?.stop()
      })()
      return stopped
    }
    return { url: `http://127.0.0.1:${port}`, endpoint, databaseExited: db?.exited, stop }
  } catch (error) {
    await events?.stop()
    client.destroy()
    await db?.stop()
    throw error
  }
}

function startDatabase(options: LocalApiOptions): Promise<DynamoDBLocal> {
  if (options.inMemory) return startDynamoDBLocal({ inMemory: true })
  return startDynamoDBLocal({ inMemory: false, dbPath: options.dbPath ?? DEFAULT_DB_PATH })
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'in-memory': { type: 'boolean' }, 'db-path': { type: 'string' } },
  })
  const env = process.env
  const port = env.PORT === undefined ? DEFAULT_PORT : Number(env.PORT)
  if (!(Number.isInteger(port) && port >= 0 && port < 65536))
    throw new Error(`PORT must be a port number, got ${env.PORT}`)
  const api = await startLocalApi({
    port,
    inMemory: values['in-memory'],
    dbPath: values['db-path'],
    endpoint: env[PAYMENTS_ENV.dynamodbEndpoint] || undefined,
    gatewayLatencyMs: latencyFromEnv(env[PAYMENTS_ENV.gatewayLatencyMs]),
    tables: {
      idempotency: env[PAYMENTS_ENV.idempotencyTable] || DEFAULT_LOCAL_TABLES.idempotency,
      payments: env[PAYMENTS_ENV.paymentsTable] || DEFAULT_LOCAL_TABLES.payments,
      gatewayLedger: env[PAYMENTS_ENV.gatewayLedgerTable] || DEFAULT_LOCAL_TABLES.gatewayLedger,
      outbox: env[PAYMENTS_ENV.outboxTable] || DEFAULT_LOCAL_TABLES.outbox,
      fulfilments: env[PAYMENTS_ENV.fulfilmentsTable] || DEFAULT_LOCAL_TABLES.fulfilments,
    },
  })
  const where =
    api.databaseExited === undefined ? 'existing endpoint' : values['in-memory'] ? 'in memory' : 'persisted'
  console.log(
    `Payments API on ${api.url} (DynamoDB ${api.endpoint}, ${where}). Local only: the bearer token is the user id.`,
  )
  console.log(
    `Try: curl -i -X POST ${api.url}/payments -H 'Authorization: Bearer asha' -H "Idempotency-Key: $(uuidgen)" -d '{"amount":6000000,"currency":"INR"}'`,
  )
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: stopping`)
    await api.stop()
    console.log('Stopped.')
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  await api.databaseExited
  if (api.databaseExited !== undefined && !stopping) {
    console.error('DynamoDB Local exited unexpectedly; stopping.')
    process.exit(1)
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1]
  return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
}

if (invokedDirectly()) {
  main().catch((error: Error) => {
    console.error(error.message)
    process.exit(1)
  })
}

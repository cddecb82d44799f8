import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createPaymentHandlerWith } from '../functions/handlers/create-payment.js'
import { getPaymentHandlerWith } from '../functions/handlers/get-payment.js'
import { dynamoDBDailyTotals } from '../functions/shared/daily-totals.js'
import { gatewayLatencyMs as latencyFromEnv } from '../functions/shared/environment.js'
import { createSimulatedGateway } from '../functions/shared/gateway.js'
import { dynamoDBPaymentRecords } from '../functions/shared/payment-records.js'
import { getPayment } from '../functions/shared/payments.js'
import type { PayoutTableNames, SampleTableNames } from '../functions/shared/tables.js'
import type { IdempotencyLogger } from '../lib/index.js'
import { type DynamoDBLocal, localDynamoDBClientConfig, startDynamoDBLocal } from './dynamodb-local.js'
import { ConsoleRecorder } from './local-api/console/recorder.js'
import { localDailyTotals } from './local-api/daily-totals.js'
import { type LocalEventFlow, startEventFlow } from './local-api/event-flow.js'
import { FaultSwitch } from './local-api/local-routes.js'
import { type LocalPayouts, startLocalPayouts } from './local-api/payouts.js'
import { type LocalPostgres, type LocalPostgresOptions, startLocalPostgres } from './local-api/postgres.js'
import { createApiServer } from './local-api/server.js'
import {
  DEFAULT_LOCAL_DAILY_TOTALS_TABLE,
  DEFAULT_LOCAL_PAYOUT_TABLES,
  DEFAULT_LOCAL_TABLES,
  ensureDailyTotalsTables,
  ensurePayoutTables,
  ensureTables,
} from './local-api/tables.js'

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
  /**
   * Keeps create-payment's idempotency records and payments in PostgreSQL instead of DynamoDB, the payment row
   * committed in the same SQL transaction as the stored answer. The gateway's ledger (a third party) stays in
   * DynamoDB Local, and the outbox's event flow is off: it follows the DynamoDB table's stream.
   */
  postgres?: LocalPostgresOptions
  /** The daily totals job's reports table (DynamoDB mode); its runs share `tables.idempotency`. @default 'daily-totals' */
  dailyTotalsTable?: string
  /** The payouts table and the bank's ledger; payout records share `tables.idempotency`. */
  payoutTables?: Omit<PayoutTableNames, 'idempotency'>
  /** How long a payout waits for the bank to settle, really. @default 3 */
  payoutSettlementSeconds?: number
  /** The Node.js version payouts check for the durable SDK; tests pass an old one. @default process.versions.node */
  payoutsNodeVersion?: string
}

export interface LocalApi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** The DynamoDB endpoint the handlers use. */
  readonly endpoint: string
  /** Settles if a database this API started exits; undefined when it uses existing ones. */
  readonly databaseExited?: Promise<void>
  /** PostgreSQL mode: where the records and payments are. */
  readonly postgres?: Pick<LocalPostgres, 'url' | 'tables'>
  /** Stops taking requests, lets running invocations finish, then stops DynamoDB Local if it started one. */
  stop(): Promise<void>
}

export const DEFAULT_PORT = 3000
/** 3 s: long enough to see a payout `running` at GET /operations/{id}, short enough to wait for by hand. */
export const DEFAULT_LOCAL_SETTLEMENT_SECONDS = 3
const DEFAULT_DB_PATH = fileURLToPath(new URL('../.local/dynamodb', import.meta.url))

/** The sample payments API on 127.0.0.1, with the deployed handlers behind a stand-in for API Gateway. */
export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const log = options.log ?? console.log
  const db = options.endpoint === undefined ? await startDatabase(options) : undefined
  const endpoint = options.endpoint ?? (db as DynamoDBLocal).endpoint
  const client = new DynamoDBClient(localDynamoDBClientConfig(endpoint))
  // The functions read and write their items through a DocumentClient, as deployed; tables are made with `client`.
  const documents = DynamoDBDocumentClient.from(client)
  let events: LocalEventFlow | undefined
  let postgres: LocalPostgres | undefined
  let payouts: LocalPayouts | undefined
  try {
    if (options.postgres !== undefined) postgres = await startLocalPostgres(options.postgres)
    const tables = options.tables ?? DEFAULT_LOCAL_TABLES
    await ensureTables(client, tables)
    const latencyMs = options.gatewayLatencyMs ?? latencyFromEnv(undefined)
    const faults = new FaultSwitch()
    // The console's tap: outcomes, charges and the keys requests sent, in this process's memory only.
    const recorder = new ConsoleRecorder()
    const account = storeAccount(tables, postgres)
    const gateway = recorder.tapGateway(
      createSimulatedGateway({
        client: documents,
        ledgerTableName: tables.gatewayLedger,
        latencyMs,
        account,
        faults,
      }),
    )
    const logger: IdempotencyLogger = {
      warn: (message, fields) => log(`${message} ${JSON.stringify(fields)}`),
    }
    // Stands in for the outbox's stream and the fulfilment queue; the publisher and consumer are the deployed ones.
    if (options.events !== false && postgres === undefined)
      events = startEventFlow({ client: documents, tables, logger, log, onOutcome: recorder.onOutcome })
    const payoutTables = {
      idempotency: tables.idempotency,
      ...(options.payoutTables ?? DEFAULT_LOCAL_PAYOUT_TABLES),
    }
    await ensurePayoutTables(client, payoutTables)
    const reports = options.dailyTotalsTable ?? DEFAULT_LOCAL_DAILY_TOTALS_TABLE
    await ensureDailyTotalsTables(client, { payments: tables.payments, reports })
    // On the store in use: under --postgres the job reads the payments it made there.
    const dailyTotals = localDailyTotals(
      postgres?.dailyTotals ??
        dynamoDBDailyTotals(client, { idempotency: tables.idempotency, payments: tables.payments, reports }),
      log,
    )
    payouts = startLocalPayouts({
      client: documents,
      tables: payoutTables,
      settlementSeconds: options.payoutSettlementSeconds ?? DEFAULT_LOCAL_SETTLEMENT_SECONDS,
      logger,
      log,
      onOutcome: recorder.onOutcome,
      ...(options.payoutsNodeVersion !== undefined && { nodeVersion: options.payoutsNodeVersion }),
    })
    const { server, drain } = createApiServer({
      routes: [
        {
          method: 'POST',
          path: '/payments',
          functionName: 'create-payment',
          handler: createPaymentHandlerWith(
            postgres?.records ?? dynamoDBPaymentRecords({ client: documents, tables }),
            gateway,
            { logger, onOutcome: recorder.onOutcome },
          ),
        },
        {
          method: 'GET',
          path: '/payments/{paymentId}',
          functionName: 'get-payment',
          handler: getPaymentHandlerWith(
            postgres?.records.find ?? ((paymentId) => getPayment(documents, tables.payments, paymentId)),
          ),
        },
        ...payouts.routes,
      ],
      local: {
        client: documents,
        ledgerTableName: tables.gatewayLedger,
        faults,
        gatewayLatencyMs: latencyMs,
        events,
        payouts,
        dailyTotals,
        console: {
          client: documents,
          recorder,
          tables: {
            idempotency: postgres?.tables.idempotency ?? tables.idempotency,
            gatewayLedger: tables.gatewayLedger,
          },
          records: postgres?.consoleRecords,
          account,
          payouts: { tables: payoutTables, unavailable: payouts.unavailable },
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
        await payouts?.stop()
        client.destroy()
        await postgres?.stop()
        await db?.stop()
      })()
      return stopped
    }
    const exits = [db?.exited, postgres?.databaseExited].filter((exit) => exit !== undefined)
    return {
      url: `http://127.0.0.1:${port}`,
      endpoint,
      databaseExited: exits.length === 0 ? undefined : Promise.race(exits),
      ...(postgres && { postgres: { url: postgres.url, tables: postgres.tables } }),
      stop,
    }
  } catch (error) {
    await events?.stop()
    await payouts?.stop()
    client.destroy()
    await postgres?.stop()
    await db?.stop()
    throw error
  }
}

/**
 * The gateway account of the store in use, recorded on each charge. The ledger, in DynamoDB Local, outlives a
 * switch to `--postgres` and a throwaway PostgreSQL; the console reconciles only this store's charges with this
 * store's records. A PostgreSQL is named by a hash of its URL, which holds its password.
 */
function storeAccount(tables: SampleTableNames, postgres: LocalPostgres | undefined): string {
  if (postgres === undefined) return `dynamodb:${tables.idempotency}`
  const server = createHash('sha256').update(postgres.url).digest('hex').slice(0, 12)
  return `postgres:${server}:${postgres.tables.idempotency}`
}

function startDatabase(options: LocalApiOptions): Promise<DynamoDBLocal> {
  if (options.inMemory) return startDynamoDBLocal({ inMemory: true })
  return startDynamoDBLocal({ inMemory: false, dbPath: options.dbPath ?? DEFAULT_DB_PATH })
}

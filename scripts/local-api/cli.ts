import { parseArgs } from 'node:util'
import { gatewayLatencyMs as latencyFromEnv } from '../../functions/shared/environment.js'
import { settlementSeconds } from '../../functions/shared/payout-environment.js'
import { PAYMENTS_ENV } from '../../functions/shared/tables.js'
import { DEFAULT_LOCAL_SETTLEMENT_SECONDS, DEFAULT_PORT, startLocalApi } from '../local-api.js'
import { startHints } from './hints.js'
import { MIN_NODE_MAJOR_FOR_PAYOUTS } from './payouts.js'
import { DEFAULT_LOCAL_PAYOUT_TABLES, DEFAULT_LOCAL_TABLES } from './tables.js'

/** `npm start`: the sample payments API on 127.0.0.1:3000 until Ctrl-C (`npm start -- --postgres`: on PostgreSQL). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'in-memory': { type: 'boolean' },
      'db-path': { type: 'string' },
      postgres: { type: 'boolean' },
    },
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
    payoutTables: {
      payouts: env[PAYMENTS_ENV.payoutsTable] || DEFAULT_LOCAL_PAYOUT_TABLES.payouts,
      bankLedger: env[PAYMENTS_ENV.bankLedgerTable] || DEFAULT_LOCAL_PAYOUT_TABLES.bankLedger,
    },
    payoutSettlementSeconds: env[PAYMENTS_ENV.settlementSeconds]
      ? settlementSeconds(env[PAYMENTS_ENV.settlementSeconds])
      : DEFAULT_LOCAL_SETTLEMENT_SECONDS,
    // PostgreSQL mode: DATABASE_URL names a running server; without it a throwaway one lives as long as the API.
    ...(values.postgres && { postgres: { url: env.DATABASE_URL || undefined } }),
  })
  const where =
    api.databaseExited === undefined ? 'existing endpoint' : values['in-memory'] ? 'in memory' : 'persisted'
  console.log(
    `Payments API on ${api.url} (DynamoDB ${api.endpoint}, ${where}). Local only: the bearer token is the user id.`,
  )
  if (api.postgres)
    console.log(
      `PostgreSQL mode: records in ${api.postgres.tables.idempotency}, payments in ${api.postgres.tables.payments} at ${api.postgres.url}`,
    )
  const major = Number(process.versions.node.split('.')[0])
  const payouts =
    major >= MIN_NODE_MAJOR_FOR_PAYOUTS ||
    `Payouts need Node.js ${MIN_NODE_MAJOR_FOR_PAYOUTS}+ (this is ${process.versions.node}): POST /payouts answers 501 payouts-unavailable.`
  for (const line of startHints(api.url, { payouts })) console.log(line)
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
    console.error('A database exited unexpectedly; stopping.')
    process.exit(1)
  }
}

main().catch((error: Error) => {
  console.error(error.message)
  process.exit(1)
})

import { LambdaDurableExecutions } from '../../lib/durable/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import type { PayoutApiDependencies } from '../handlers/create-payout.js'
import type { PayoutWorkflowDependencies } from '../handlers/payout-workflow.js'
import { createSimulatedBank } from './bank.js'
import { clientFromEnvironment } from './environment.js'
import { PAYMENTS_ENV, required } from './tables.js'

/**
 * A minute: long enough to watch `GET /operations/{id}` answer `running` with curl, short enough for a demo. A
 * real bank's settlement takes hours; the execution waits without compute either way.
 */
export const DEFAULT_SETTLEMENT_SECONDS = 60

/** What the durable payout function needs; the CDK stack sets the environment. */
export function payoutWorkflowDependenciesFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): Omit<PayoutWorkflowDependencies, 'logger'> {
  const client = clientFromEnvironment(env)
  const idempotency = required(env, PAYMENTS_ENV.idempotencyTable)
  return {
    client,
    tables: { payouts: required(env, PAYMENTS_ENV.payoutsTable) },
    bank: createSimulatedBank({ client, ledgerTableName: required(env, PAYMENTS_ENV.bankLedgerTable) }),
    store: new DynamoDBStore({ tableName: idempotency, client }),
    settlementSeconds: settlementSeconds(env[PAYMENTS_ENV.settlementSeconds]),
  }
}

/** What POST /payouts needs: its idempotency records, and the durable function it starts executions of. */
export function payoutApiDependenciesFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): PayoutApiDependencies {
  return {
    store: new DynamoDBStore({
      tableName: required(env, PAYMENTS_ENV.idempotencyTable),
      client: clientFromEnvironment(env),
    }),
    executions: executionsFromEnvironment(env),
  }
}

/** The durable payout function's executions, on the alias the stack publishes. */
export function executionsFromEnvironment(env: NodeJS.ProcessEnv = process.env): LambdaDurableExecutions {
  return new LambdaDurableExecutions({ functionName: required(env, PAYMENTS_ENV.payoutFunction) })
}

export function settlementSeconds(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_SETTLEMENT_SECONDS
  const seconds = Number(value)
  if (!(Number.isInteger(seconds) && seconds >= 1))
    throw new Error(
      `${PAYMENTS_ENV.settlementSeconds} must be a whole number of seconds, 1 or more, got ${value}`,
    )
  return seconds
}

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createPayoutHandler } from '../../functions/handlers/create-payout.js'
import { getOperationHandler } from '../../functions/handlers/get-operation.js'
import {
  type CrashPoint,
  type PayoutCrashes,
  payoutWorkflow,
} from '../../functions/handlers/payout-workflow.js'
import { createSimulatedBank, listTransfers } from '../../functions/shared/bank.js'
import { listPayouts, payoutView } from '../../functions/shared/payouts.js'
import { jsonResponse, sampleProblem } from '../../functions/shared/problems.js'
import type { PayoutTableNames } from '../../functions/shared/tables.js'
import { type DurableExecutions, LocalDurableExecutions } from '../../lib/durable/index.js'
import type { HttpResult } from '../../lib/http/index.js'
import { DynamoDBStore, type IdempotencyLogger, type IdempotencyOutcome } from '../../lib/index.js'
import { localDurableRunner } from './durable-runner.js'
import { localProblem } from './problems.js'
import type { LambdaRoute } from './server.js'

/** The durable execution SDK declares Node.js 22 or later, as Lambda's nodejs22.x runtime provides. */
export const MIN_NODE_MAJOR_FOR_PAYOUTS = 22

/** Pending crashes `POST /_local/payouts/crashes` sets; each attempt reaching the point takes one. */
export class PayoutCrashSwitch implements PayoutCrashes {
  private readonly pending: Record<CrashPoint, number> = { 'after-bank-call': 0, 'before-record': 0 }

  constructor(private readonly log: (line: string) => void) {}

  crashNext(point: CrashPoint, count: number): void {
    this.pending[point] = count
  }

  take(point: CrashPoint): boolean {
    if (this.pending[point] === 0) return false
    this.pending[point]--
    this.log(`payout workflow: invocation killed (${point}); the execution resumes from its last checkpoint`)
    return true
  }
}

export interface LocalPayouts {
  readonly routes: readonly LambdaRoute[]
  /** `GET /_local/payouts`, `GET /_local/bank/transfers`, `POST /_local/payouts/crashes`; undefined otherwise. */
  localRoute(route: string, body: Buffer): Promise<HttpResult | undefined>
  /** Lets running payouts finish, then releases the local runner. */
  stop(): Promise<void>
  /** Why payouts answer 501 here (Node.js older than 22); undefined when they run. */
  readonly unavailable?: string
}

export interface LocalPayoutsOptions {
  readonly client: DynamoDBDocumentClient
  readonly tables: PayoutTableNames
  /** How long the workflow waits for the bank to settle; a real wait, so short locally. */
  readonly settlementSeconds: number
  readonly logger: IdempotencyLogger
  readonly log: (line: string) => void
  readonly onOutcome?: (outcome: IdempotencyOutcome) => void
  /** @default process.versions.node */
  readonly nodeVersion?: string
}

/**
 * The payout routes on the deployed handlers, their durable executions run in this process by the SDK's local
 * runner (checkpoints and replays as Lambda does, waits included). On a Node.js older than 22 the routes answer
 * `payouts-unavailable` instead, and charges run as usual.
 */
export function startLocalPayouts(options: LocalPayoutsOptions): LocalPayouts {
  const { client, tables, log } = options
  const major = Number((options.nodeVersion ?? process.versions.node).split('.')[0])
  const crashes = new PayoutCrashSwitch(log)
  const inspect = inspectionRoutes(client, tables, crashes)
  if (!(major >= MIN_NODE_MAJOR_FOR_PAYOUTS))
    return unavailable(options.nodeVersion ?? process.versions.node, inspect)

  const store = new DynamoDBStore({ tableName: tables.idempotency, client })
  const workflow = payoutWorkflow({
    client,
    tables,
    bank: createSimulatedBank({ client, ledgerTableName: tables.bankLedger }),
    store,
    settlementSeconds: options.settlementSeconds,
    crashes,
    logger: options.logger,
  })
  const local = new LocalDurableExecutions({ handler: workflow })
  const runner = localDurableRunner()
  // The runner's checkpoint server starts with the first payout: an API that never pays out never starts it.
  const executions: DurableExecutions = {
    start: async (name, input) => {
      await runner.acquire()
      return local.start(name, input)
    },
    get: (name) => local.get(name),
  }
  const { logger, onOutcome } = options
  return {
    routes: [
      {
        method: 'POST',
        path: '/payouts',
        functionName: 'create-payout',
        handler: createPayoutHandler({ store, executions }, { logger, onOutcome }),
      },
      {
        method: 'GET',
        path: '/operations/{id}',
        functionName: 'get-operation',
        handler: getOperationHandler({ executions }),
      },
    ],
    localRoute: inspect,
    async stop() {
      await Promise.allSettled(local.list().map((execution) => local.settled(execution.name)))
      await runner.release()
    },
  }
}

function unavailable(nodeVersion: string, inspect: LocalPayouts['localRoute']): LocalPayouts {
  const detail = `This local API runs on Node.js ${nodeVersion}; payouts run on the durable execution SDK, which needs Node.js ${MIN_NODE_MAJOR_FOR_PAYOUTS} or later. Restart npm start with Node.js ${MIN_NODE_MAJOR_FOR_PAYOUTS}+; charges work meanwhile.`
  const answer = async () => sampleProblem('payouts-unavailable', detail)
  return {
    routes: [
      { method: 'POST', path: '/payouts', functionName: 'create-payout', handler: answer },
      { method: 'GET', path: '/operations/{id}', functionName: 'get-operation', handler: answer },
    ],
    localRoute: inspect,
    stop: async () => undefined,
    unavailable: detail,
  }
}

function inspectionRoutes(
  client: DynamoDBDocumentClient,
  tables: PayoutTableNames,
  crashes: PayoutCrashSwitch,
) {
  return async (route: string, body: Buffer): Promise<HttpResult | undefined> => {
    if (route === 'GET /_local/payouts') {
      const payouts = await listPayouts(client, tables.payouts)
      return jsonResponse(200, { payouts: payouts.map(payoutView) })
    }
    if (route === 'GET /_local/bank/transfers') {
      const transfers = await listTransfers(client, tables.bankLedger)
      return jsonResponse(200, { transfers })
    }
    if (route === 'POST /_local/payouts/crashes') {
      const plan = crashPlanIn(body)
      if (plan === undefined)
        return localProblem(
          'local-request-invalid',
          'Send {"afterBankCall": n} and/or {"beforeRecord": n}, with n a whole number from 0.',
        )
      if (plan.afterBankCall !== undefined) crashes.crashNext('after-bank-call', plan.afterBankCall)
      if (plan.beforeRecord !== undefined) crashes.crashNext('before-record', plan.beforeRecord)
      return jsonResponse(200, plan)
    }
    return undefined
  }
}

function crashPlanIn(body: Buffer): { afterBankCall?: number; beforeRecord?: number } | undefined {
  let fields: Record<string, unknown>
  try {
    fields = JSON.parse(body.toString('utf8')) as Record<string, unknown>
  } catch {
    return undefined
  }
  const count = (value: unknown) =>
    Number.isInteger(value) && (value as number) >= 0 ? (value as number) : null
  const plan: { afterBankCall?: number; beforeRecord?: number } = {}
  for (const name of ['afterBankCall', 'beforeRecord'] as const) {
    if (fields?.[name] === undefined) continue
    const n = count(fields[name])
    if (n === null) return undefined
    plan[name] = n
  }
  return Object.keys(plan).length === 0 ? undefined : plan
}

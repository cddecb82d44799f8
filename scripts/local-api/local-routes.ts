import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { type GatewayFaults, listCharges } from '../../functions/shared/gateway.js'
import { jsonResponse } from '../../functions/shared/problems.js'
import type { HttpResult } from '../../lib/http/index.js'
import { type ConsoleContext, consoleRoute } from './console/routes.js'
import type { LocalDailyTotals } from './daily-totals.js'
import type { LocalEventFlow } from './event-flow.js'
import type { LocalPayouts } from './payouts.js'
import { localProblem } from './problems.js'

/** The pending failures `POST /_local/gateway/faults` sets; charge calls take them one by one, in arrival order. */
export class FaultSwitch implements GatewayFaults {
  private pendingFailures = 0

  failNext(count: number): void {
    this.pendingFailures = count
  }

  takeFailure(): boolean {
    if (this.pendingFailures === 0) return false
    this.pendingFailures--
    return true
  }
}

export interface LocalRouteContext {
  readonly client: DynamoDBDocumentClient
  readonly ledgerTableName: string
  readonly faults: FaultSwitch
  readonly gatewayLatencyMs: number
  /** Absent when the API runs without its event flow: its routes are then not found. */
  readonly events?: LocalEventFlow
  /** The payout routes' inspection and crash switch: `/_local/payouts`, `/_local/bank/transfers`, ... */
  readonly payouts?: Pick<LocalPayouts, 'localRoute'>
  /** The page at `/_local/` and its state. */
  readonly console: ConsoleContext
  /** The daily totals job and its report: `/_local/jobs/daily-totals`, `/_local/reports/daily-totals`. */
  readonly dailyTotals?: LocalDailyTotals
}

export interface LocalRequest {
  readonly method: string
  readonly path: string
  readonly body: Buffer
  /** The query string's parameters (`?date=...`). */
  readonly query?: URLSearchParams
  /** The Host header, which guards the whole `/_local` space. */
  readonly host: string | undefined
}

/** Host names of this machine; anything else is a page elsewhere that rebound its name to 127.0.0.1. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * Routes that exist only locally, to inspect and steer the simulated gateway and the event flow; undefined when
 * none matches. They flip fault and crash switches and show charges, payouts, transfers and the keys clients
 * sent, so the whole `/_local` space answers only requests addressed to this machine by name: a DNS-rebinding
 * page in the developer's browser carries its own host name and gets a 403, whatever the route.
 */
export async function localRoute(
  request: LocalRequest,
  context: LocalRouteContext,
): Promise<HttpResult | undefined> {
  if (!isLocalSpace(request.path)) return undefined
  if (!isLoopback(request.host)) return localProblem('local-only')
  const { body } = request
  const route = `${request.method} ${request.path}`
  if (route === 'GET /_local/health')
    return jsonResponse(200, { status: 'ok', gatewayLatencyMs: context.gatewayLatencyMs })
  if (route === 'GET /_local/gateway/charges') {
    const charges = await listCharges(context.client, context.ledgerTableName)
    return jsonResponse(200, {
      charges: charges.map(({ chargeId, gatewayKey, amount, currency, requests }) => ({
        chargeId,
        gatewayKey,
        amount,
        currency,
        requests,
      })),
    })
  }
  if (route === 'POST /_local/gateway/faults') {
    const failNext = wholeNumberIn(body, 'failNext')
    if (failNext === undefined)
      return localProblem('local-request-invalid', 'Send {"failNext": n} with n a whole number from 0.')
    context.faults.failNext(failNext)
    return jsonResponse(200, { failNext })
  }
  const payouts = await context.payouts?.localRoute(route, body)
  if (payouts !== undefined) return payouts
  const job = await context.dailyTotals?.localRoute(route, body, request.query ?? new URLSearchParams())
  if (job !== undefined) return job
  const page = await consoleRoute(request, context.console)
  if (page !== undefined) return page
  return context.events === undefined ? undefined : eventRoute(route, body, context.events)
}

async function eventRoute(
  route: string,
  body: Buffer,
  events: LocalEventFlow,
): Promise<HttpResult | undefined> {
  if (route === 'GET /_local/fulfilments') return jsonResponse(200, await events.fulfilmentCounts())
  if (route === 'POST /_local/outbox/faults') {
    const duplicateNext = wholeNumberIn(body, 'duplicateNext')
    if (duplicateNext === undefined)
      return localProblem('local-request-invalid', 'Send {"duplicateNext": n} with n a whole number from 0.')
    events.duplicateNext(duplicateNext)
    return jsonResponse(200, { duplicateNext })
  }
  return undefined
}

function wholeNumberIn(body: Buffer, field: string): number | undefined {
  try {
    const value = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[field]
    return Number.isInteger(value) && (value as number) >= 0 ? (value as number) : undefined
  } catch {
    return undefined
  }
}

const isLocalSpace = (path: string): boolean => path === '/_local' || path.startsWith('/_local/')

function isLoopback(host: string | undefined): boolean {
  try {
    return host !== undefined && LOOPBACK_HOSTS.has(new URL(`http://${host}`).hostname)
  } catch {
    return false
  }
}

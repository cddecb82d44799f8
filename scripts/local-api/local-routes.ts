import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { type GatewayFaults, listCharges } from '../../functions/shared/gateway.js'
import { jsonResponse } from '../../functions/shared/problems.js'
import type { HttpResult } from '../../lib/index.js'

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
  readonly client: DynamoDBClient
  readonly ledgerTableName: string
  readonly faults: FaultSwitch
  readonly gatewayLatencyMs: number
}

/** Routes that exist only locally, to inspect and steer the simulated gateway; undefined when none matches. */
export async function localRoute(
  method: string,
  path: string,
  body: Buffer,
  context: LocalRouteContext,
): Promise<HttpResult | undefined> {
  const route = `${method} ${path}`
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
    const failNext = failNextOf(body)
    if (failNext === undefined)
      return jsonResponse(400, { message: 'Send {"failNext": n} with n a whole number from 0' })
    context.faults.failNext(failNext)
    return jsonResponse(200, { failNext })
  }
  return undefined
}

function failNextOf(body: Buffer): number | undefined {
  try {
    const { failNext } = JSON.parse(body.toString('utf8')) as { failNext?: unknown }
    return Number.isInteger(failNext) && (failNext as number) >= 0 ? (failNext as number) : undefined
  } catch {
    return undefined
  }
}

import { randomUUID } from 'node:crypto'
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { type Item, numeric, optionalText, scanAll, text } from './reads.js'
import { GATEWAY_LEDGER_PARTITION_KEY } from './tables.js'

/** The gateway's test amount for a declined card (in minor units), as real gateways document theirs. */
export const DECLINE_TEST_AMOUNT = 402

export interface ChargeRequest {
  /** The gateway's own idempotency key: the same on every retry of one payment, so it charges once. */
  readonly gatewayKey: string
  readonly amount: number
  readonly currency: string
}

export interface Charge {
  readonly chargeId: string
  readonly gatewayKey: string
  readonly amount: number
  readonly currency: string
  readonly status: 'succeeded' | 'declined'
  /**
   * How many charge calls reached the ledger with this gateway key: 1 unless a caller repeated the call (after a
   * crash or a lost answer). An injected failure fails before the ledger, so it is not counted.
   */
  readonly requests: number
  readonly createdAt: string
  /** The merchant account the charge was made for, when the gateway was given one. */
  readonly account?: string
}

/**
 * What a gateway can say besides a charge. `unavailable`: the call failed and nothing was charged, so the same
 * call may be repeated. `key-reused`: the gateway key already belongs to a charge with another amount or currency.
 */
export class GatewayError extends Error {
  constructor(
    readonly code: 'unavailable' | 'key-reused',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'GatewayError'
  }
}

/** A switch the local API flips to make charge calls fail; deployed functions run without one. */
export interface GatewayFaults {
  /** True when this call should fail; consumes one pending failure. */
  takeFailure(): boolean
}

export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<Charge>
}

export interface SimulatedGatewayOptions {
  readonly client: DynamoDBDocumentClient
  readonly ledgerTableName: string
  readonly latencyMs: number
  /**
   * The merchant account charges are made for, recorded on each: a real gateway keeps one ledger per account.
   * The local API names the store in use, whose records the console reconciles the charges against.
   */
  readonly account?: string
  readonly faults?: GatewayFaults
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number
}

/**
 * A stand-in for Razorpay or Stripe: a charge is one conditional put into its own ledger, keyed by the
 * caller's gateway key, so a repeated call returns the first charge (counting the repeat) instead of a second.
 */
export function createSimulatedGateway(options: SimulatedGatewayOptions): PaymentGateway {
  const { client, ledgerTableName: TableName, latencyMs, faults, account } = options
  const now = options.now ?? Date.now

  async function charge(request: ChargeRequest): Promise<Charge> {
    const failing = faults?.takeFailure() ?? false
    await sleep(latencyMs)
    if (failing) throw new GatewayError('unavailable', 'The payment gateway failed (injected fault)')
    const fresh: Charge = {
      chargeId: `ch_${randomUUID().replaceAll('-', '')}`,
      ...request,
      status: request.amount === DECLINE_TEST_AMOUNT ? 'declined' : 'succeeded',
      requests: 1,
      createdAt: new Date(now()).toISOString(),
      ...(account !== undefined && { account }),
    }
    try {
      await client.send(
        new PutCommand({
          TableName,
          Item: chargeItem(fresh),
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': GATEWAY_LEDGER_PARTITION_KEY },
        }),
      )
      return fresh
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw unavailable(error)
    }
    const existing = await countRepeat(request.gatewayKey)
    if (existing.amount !== request.amount || existing.currency !== request.currency) {
      throw new GatewayError('key-reused', 'This gateway key already charged a different amount or currency')
    }
    return existing
  }

  async function countRepeat(gatewayKey: string): Promise<Charge> {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName,
          Key: { [GATEWAY_LEDGER_PARTITION_KEY]: gatewayKey },
          UpdateExpression: 'ADD #requests :one',
          ExpressionAttributeNames: { '#requests': 'requests' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      )
      return chargeFromItem(Attributes ?? {})
    } catch (error) {
      throw unavailable(error)
    }
  }

  return { charge }
}

/** Every charge in the ledger; for the local API's inspection route, not for request paths. */
export async function listCharges(
  client: DynamoDBDocumentClient,
  ledgerTableName: string,
): Promise<Charge[]> {
  const charges = (await scanAll(client, ledgerTableName)).map(chargeFromItem)
  return charges.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}

function unavailable(cause: unknown): GatewayError {
  return new GatewayError('unavailable', `The payment gateway could not be reached: ${String(cause)}`, {
    cause,
  })
}

function chargeItem(charge: Charge): Item {
  const { gatewayKey, chargeId, amount, currency, status, requests, createdAt, account } = charge
  return {
    [GATEWAY_LEDGER_PARTITION_KEY]: gatewayKey,
    chargeId,
    amount,
    currency,
    status,
    requests,
    createdAt,
    ...(account !== undefined && { account }),
  }
}

function chargeFromItem(item: Item): Charge {
  const account = optionalText(item.account)
  return {
    ...(account !== undefined && { account }),
    chargeId: text(item.chargeId),
    gatewayKey: text(item[GATEWAY_LEDGER_PARTITION_KEY]),
    amount: numeric(item.amount),
    currency: text(item.currency),
    status: item.status === 'declined' ? 'declined' : 'succeeded',
    requests: numeric(item.requests),
    createdAt: text(item.createdAt),
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

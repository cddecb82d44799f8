import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import type { PayoutRequest } from './payout-request.js'
import { getItem, scanAll } from './reads.js'
import { PAYOUTS_PARTITION_KEY } from './tables.js'

export interface Payout extends PayoutRequest {
  readonly payoutId: string
  /** A hash of the caller that asked for it (the execution's owner): never shown to clients. */
  readonly owner: string
  /** `reserved`: the funds are held, the bank not yet settled. `paid`: settled and recorded. */
  readonly status: 'reserved' | 'paid'
  readonly reservedAt: string
  readonly transferId?: string
  readonly paidAt?: string
}

/** What the workflow returns, and `GET /operations/{id}` shows its owner: everything but the owner. */
export type PayoutView = Omit<Payout, 'owner'>

export function payoutView({ owner: _owner, ...view }: Payout): PayoutView {
  return view
}

/**
 * Holds the funds: the payout exists, `reserved`, under an id derived from the idempotency record. A re-run of
 * the step after a crash finds its own reservation and returns it, so one payout is reserved once.
 */
export async function reservePayout(
  client: DynamoDBClient,
  tableName: string,
  payout: Payout,
): Promise<Payout> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: payoutItem(payout),
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': PAYOUTS_PARTITION_KEY },
      }),
    )
    return payout
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error
  }
  // Already reserved by an earlier attempt of this step: the same payout, whatever this attempt's clock says.
  const item = await getItem(client, tableName, PAYOUTS_PARTITION_KEY, payout.payoutId)
  if (item === undefined) throw new Error(`Payout ${payout.payoutId} was reserved and then disappeared`)
  return payoutFromItem(item)
}

/** Records the bank's settled transfer on the reserved payout; repeating it changes nothing more. */
export function recordPaid(
  client: DynamoDBClient,
  tableName: string,
  payoutId: string,
  paid: { transferId: string; paidAt: string },
): Promise<Payout> {
  return updatePayout(
    client,
    tableName,
    payoutId,
    'SET #status = :paid, transferId = :transferId, paidAt = if_not_exists(paidAt, :paidAt)',
    { ':paid': { S: 'paid' }, ':transferId': { S: paid.transferId }, ':paidAt': { S: paid.paidAt } },
  )
}

async function updatePayout(
  client: DynamoDBClient,
  tableName: string,
  payoutId: string,
  UpdateExpression: string,
  values: Record<string, AttributeValue>,
): Promise<Payout> {
  const { Attributes } = await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { [PAYOUTS_PARTITION_KEY]: { S: payoutId } },
      UpdateExpression,
      // Only a reserved payout is updated: a missing one is a bug, not a payout to create here.
      ConditionExpression: 'attribute_exists(#id)',
      ExpressionAttributeNames: { '#id': PAYOUTS_PARTITION_KEY, '#status': 'status' },
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  )
  return payoutFromItem(Attributes ?? {})
}

/** Every payout, oldest first; for the local API and tests, never for request paths. */
export async function listPayouts(client: DynamoDBClient, tableName: string): Promise<Payout[]> {
  const payouts = (await scanAll(client, tableName)).map(payoutFromItem)
  return payouts.sort((a, b) => a.reservedAt.localeCompare(b.reservedAt))
}

function payoutItem(payout: Payout): Record<string, AttributeValue> {
  return {
    [PAYOUTS_PARTITION_KEY]: { S: payout.payoutId },
    owner: { S: payout.owner },
    status: { S: payout.status },
    accountId: { S: payout.accountId },
    amount: { N: String(payout.amount) },
    currency: { S: payout.currency },
    reservedAt: { S: payout.reservedAt },
  }
}

function payoutFromItem(item: Record<string, AttributeValue>): Payout {
  return {
    payoutId: item[PAYOUTS_PARTITION_KEY]?.S ?? '',
    owner: item.owner?.S ?? '',
    status: item.status?.S === 'paid' ? 'paid' : 'reserved',
    accountId: item.accountId?.S ?? '',
    amount: Number(item.amount?.N),
    currency: item.currency?.S ?? '',
    reservedAt: item.reservedAt?.S ?? '',
    ...(item.transferId?.S !== undefined && { transferId: item.transferId.S }),
    ...(item.paidAt?.S !== undefined && { paidAt: item.paidAt.S }),
  }
}

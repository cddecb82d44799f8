import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { PayoutRequest } from './payout-request.js'
import { getItem, type Item, numeric, optionalText, scanAll, text } from './reads.js'
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
  client: DynamoDBDocumentClient,
  tableName: string,
  payout: Payout,
): Promise<Payout> {
  try {
    await client.send(
      new PutCommand({
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
  client: DynamoDBDocumentClient,
  tableName: string,
  payoutId: string,
  paid: { transferId: string; paidAt: string },
): Promise<Payout> {
  return updatePayout(
    client,
    tableName,
    payoutId,
    'SET #status = :paid, transferId = :transferId, paidAt = if_not_exists(paidAt, :paidAt)',
    { ':paid': 'paid', ':transferId': paid.transferId, ':paidAt': paid.paidAt },
  )
}

async function updatePayout(
  client: DynamoDBDocumentClient,
  tableName: string,
  payoutId: string,
  UpdateExpression: string,
  values: Item,
): Promise<Payout> {
  const { Attributes } = await client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { [PAYOUTS_PARTITION_KEY]: payoutId },
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
export async function listPayouts(client: DynamoDBDocumentClient, tableName: string): Promise<Payout[]> {
  const payouts = (await scanAll(client, tableName)).map(payoutFromItem)
  return payouts.sort((a, b) => a.reservedAt.localeCompare(b.reservedAt))
}

/** A reservation: the payout as reserved, without the bank's answer, which only `recordPaid` sets. */
function payoutItem(payout: Payout): Item {
  const { payoutId, owner, status, accountId, amount, currency, reservedAt } = payout
  return { [PAYOUTS_PARTITION_KEY]: payoutId, owner, status, accountId, amount, currency, reservedAt }
}

function payoutFromItem(item: Item): Payout {
  const transferId = optionalText(item.transferId)
  const paidAt = optionalText(item.paidAt)
  return {
    payoutId: text(item[PAYOUTS_PARTITION_KEY]),
    owner: text(item.owner),
    status: item.status === 'paid' ? 'paid' : 'reserved',
    accountId: text(item.accountId),
    amount: numeric(item.amount),
    currency: text(item.currency),
    reservedAt: text(item.reservedAt),
    ...(transferId !== undefined && { transferId }),
    ...(paidAt !== undefined && { paidAt }),
  }
}

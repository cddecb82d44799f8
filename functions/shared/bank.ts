import { randomUUID } from 'node:crypto'
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { type Item, numeric, scanAll, text } from './reads.js'
import { BANK_LEDGER_PARTITION_KEY } from './tables.js'

export interface TransferRequest {
  /** The bank's own idempotency key: the same on every attempt of one payout, so the bank pays once. */
  readonly bankKey: string
  readonly accountId: string
  /** Minor units (paise, cents). */
  readonly amount: number
  readonly currency: string
}

export interface Transfer extends TransferRequest {
  readonly transferId: string
  /**
   * How many transfer calls reached the bank with this key: 1 unless a caller repeated the call (a step re-run
   * after a crash, or a lost answer). Every repeat got the first transfer back and moved no money.
   */
  readonly requests: number
  readonly acceptedAt: string
}

/**
 * What the bank can say besides a transfer. `unavailable`: nothing was transferred, the same call may be
 * repeated. `key-reused`: the key already belongs to a transfer of another amount, currency or account.
 */
export class BankError extends Error {
  constructor(
    readonly code: 'unavailable' | 'key-reused',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'BankError'
  }
}

export interface Bank {
  transfer(request: TransferRequest): Promise<Transfer>
}

export interface SimulatedBankOptions {
  readonly client: DynamoDBDocumentClient
  readonly ledgerTableName: string
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number
}

/**
 * A stand-in for a bank's payout API (RazorpayX, Stripe Connect): a transfer is one conditional put into its
 * ledger under the caller's idempotency key, so a repeated call returns the first transfer and counts the repeat.
 */
export function createSimulatedBank(options: SimulatedBankOptions): Bank {
  const { client, ledgerTableName: TableName } = options
  const now = options.now ?? Date.now

  async function transfer(request: TransferRequest): Promise<Transfer> {
    const fresh: Transfer = {
      transferId: `tr_${randomUUID().replaceAll('-', '')}`,
      ...request,
      requests: 1,
      acceptedAt: new Date(now()).toISOString(),
    }
    try {
      await client.send(
        new PutCommand({
          TableName,
          Item: transferItem(fresh),
          ConditionExpression: 'attribute_not_exists(#key)',
          ExpressionAttributeNames: { '#key': BANK_LEDGER_PARTITION_KEY },
        }),
      )
      return fresh
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw unavailable(error)
    }
    const earlier = await countRepeat(request.bankKey)
    const same =
      earlier.amount === request.amount &&
      earlier.currency === request.currency &&
      earlier.accountId === request.accountId
    if (!same) throw new BankError('key-reused', 'This bank key already paid another amount or account')
    return earlier
  }

  async function countRepeat(bankKey: string): Promise<Transfer> {
    try {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName,
          Key: { [BANK_LEDGER_PARTITION_KEY]: bankKey },
          UpdateExpression: 'ADD #requests :one',
          ExpressionAttributeNames: { '#requests': 'requests' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      )
      return transferFromItem(Attributes ?? {})
    } catch (error) {
      throw unavailable(error)
    }
  }

  return { transfer }
}

/** Every transfer in the ledger, oldest first; for the local API and tests, not for request paths. */
export async function listTransfers(
  client: DynamoDBDocumentClient,
  ledgerTableName: string,
): Promise<Transfer[]> {
  const transfers = (await scanAll(client, ledgerTableName)).map(transferFromItem)
  return transfers.sort((a, b) => a.acceptedAt.localeCompare(b.acceptedAt))
}

function unavailable(cause: unknown): BankError {
  return new BankError('unavailable', `The bank could not be reached: ${String(cause)}`, { cause })
}

function transferItem(transfer: Transfer): Item {
  const { bankKey, transferId, accountId, amount, currency, requests, acceptedAt } = transfer
  return {
    [BANK_LEDGER_PARTITION_KEY]: bankKey,
    transferId,
    accountId,
    amount,
    currency,
    requests,
    acceptedAt,
  }
}

function transferFromItem(item: Item): Transfer {
  return {
    transferId: text(item.transferId),
    bankKey: text(item[BANK_LEDGER_PARTITION_KEY]),
    accountId: text(item.accountId),
    amount: numeric(item.amount),
    currency: text(item.currency),
    requests: numeric(item.requests),
    acceptedAt: text(item.acceptedAt),
  }
}

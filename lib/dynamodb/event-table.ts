import { type DynamoDBClient, type Update, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { IdempotencyLeaseLostError } from '../errors.js'
import { isConditionalFailure, refusedItem } from './calls.js'
import { dynamoDBError } from './errors.js'
import type { Item } from './item.js'
import { IDEMPOTENCY_ATTRIBUTES as A, IDEMPOTENCY_TABLE_ENV } from './schema.js'
import { type DynamoDBStoreOptions, defaultDynamoDBClient } from './store.js'

/** The event stores share the idempotency table, and take the same options `DynamoDBStore` does. */
export function resolveTable(options: DynamoDBStoreOptions): { tableName: string; client: DynamoDBClient } {
  const tableName = options.tableName ?? process.env[IDEMPOTENCY_TABLE_ENV]
  if (!tableName)
    throw new Error(`A DynamoDB event store needs a tableName or the ${IDEMPOTENCY_TABLE_ENV} variable`)
  const client = (options.client ?? defaultDynamoDBClient()) as DynamoDBClient
  return { tableName, client }
}

/** A conditional UpdateItem that returns the refusing item (ALL_OLD), naming only the attributes it uses. */
export function conditionalUpdate(
  tableName: string,
  names: Record<string, string>,
  request: { key: string; expression: string; condition: string; values: Item },
): Update {
  const used = `${request.expression} ${request.condition}`
  return {
    TableName: tableName,
    Key: { [A.key]: { S: request.key } },
    UpdateExpression: request.expression,
    ConditionExpression: request.condition,
    // DynamoDB rejects names an expression does not use.
    ExpressionAttributeNames: Object.fromEntries(
      Object.entries(names).filter(([placeholder]) => new RegExp(`${placeholder}\\b`).test(used)),
    ),
    ExpressionAttributeValues: request.values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  }
}

/** Sends a claim: the item as written, or the item that refused it, read in the same call. */
export async function sendClaim(
  client: DynamoDBClient,
  update: Update,
  what: string,
): Promise<{ claimed: true; item: Item | undefined } | { claimed: false; item: Item }> {
  try {
    const { Attributes } = await client.send(new UpdateItemCommand({ ...update, ReturnValues: 'ALL_NEW' }))
    return { claimed: true, item: Attributes }
  } catch (error) {
    const existing = refusedItem(error)
    if (existing === undefined) throw dynamoDBError(`claim ${what}`, error, update.TableName ?? 'unknown')
    return { claimed: false, item: existing }
  }
}

/**
 * Sends a release conditioned on the caller's hold: nothing left to release (gone, or completed) is success,
 * another token's hold (`held(item)`: the refusing item still holds a claim) is not.
 */
export async function sendRelease(
  client: DynamoDBClient,
  update: Update,
  what: string,
  held: (item: Item) => boolean,
): Promise<void> {
  try {
    await client.send(new UpdateItemCommand(update))
  } catch (error) {
    if (!isConditionalFailure(error))
      throw dynamoDBError(`release ${what}`, error, update.TableName ?? 'unknown')
    const item = refusedItem(error)
    if (item !== undefined && held(item)) throw new IdempotencyLeaseLostError('release')
  }
}

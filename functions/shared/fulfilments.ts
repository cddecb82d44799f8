import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { DocumentWrite } from '../../lib/dynamodb/index.js'
import { getItem, type Item, scanAll, text } from './reads.js'
import { FULFILMENTS_PARTITION_KEY } from './tables.js'

/** An order to ship, made once per paid payment. */
export interface Fulfilment {
  readonly fulfilmentId: string
  /** The event that asked for it: the consumer's idempotency key. */
  readonly eventId: string
  readonly paymentId: string
  /** The customer the order goes to. */
  readonly owner: string
  readonly createdAt: string
}

/** The fulfilment item, for the consumer's completion transaction; one fulfilment id is written at most once. */
export function fulfilmentPut(fulfilmentsTableName: string, fulfilment: Fulfilment): DocumentWrite {
  const { fulfilmentId, eventId, paymentId, owner, createdAt } = fulfilment
  return {
    Put: {
      TableName: fulfilmentsTableName,
      Item: { [FULFILMENTS_PARTITION_KEY]: fulfilmentId, eventId, paymentId, owner, createdAt },
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': FULFILMENTS_PARTITION_KEY },
    },
  }
}

export async function getFulfilment(
  client: DynamoDBDocumentClient,
  fulfilmentsTableName: string,
  fulfilmentId: string,
): Promise<Fulfilment | undefined> {
  const item = await getItem(client, fulfilmentsTableName, FULFILMENTS_PARTITION_KEY, fulfilmentId)
  return item === undefined ? undefined : fulfilmentFromItem(item)
}

/** Every fulfilment; for the local API's inspection route and tests, not for request paths. */
export async function listFulfilments(
  client: DynamoDBDocumentClient,
  fulfilmentsTableName: string,
): Promise<Fulfilment[]> {
  return (await scanAll(client, fulfilmentsTableName)).map(fulfilmentFromItem)
}

function fulfilmentFromItem(item: Item): Fulfilment {
  return {
    fulfilmentId: text(item[FULFILMENTS_PARTITION_KEY]),
    eventId: text(item.eventId),
    paymentId: text(item.paymentId),
    owner: text(item.owner),
    createdAt: text(item.createdAt),
  }
}

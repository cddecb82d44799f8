import type { AttributeValue, DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { getItem, scanAll } from './reads.js'
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
export function fulfilmentPut(fulfilmentsTableName: string, fulfilment: Fulfilment): TransactWriteItem {
  return {
    Put: {
      TableName: fulfilmentsTableName,
      Item: {
        [FULFILMENTS_PARTITION_KEY]: { S: fulfilment.fulfilmentId },
        eventId: { S: fulfilment.eventId },
        paymentId: { S: fulfilment.paymentId },
        owner: { S: fulfilment.owner },
        createdAt: { S: fulfilment.createdAt },
      },
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': FULFILMENTS_PARTITION_KEY },
    },
  }
}

export async function getFulfilment(
  client: DynamoDBClient,
  fulfilmentsTableName: string,
  fulfilmentId: string,
): Promise<Fulfilment | undefined> {
  const item = await getItem(client, fulfilmentsTableName, FULFILMENTS_PARTITION_KEY, fulfilmentId)
  return item === undefined ? undefined : fulfilmentFromItem(item)
}

/** Every fulfilment; for the local API's inspection route and tests, not for request paths. */
export async function listFulfilments(
  client: DynamoDBClient,
  fulfilmentsTableName: string,
): Promise<Fulfilment[]> {
  return (await scanAll(client, fulfilmentsTableName)).map(fulfilmentFromItem)
}

function fulfilmentFromItem(item: Record<string, AttributeValue>): Fulfilment {
  return {
    fulfilmentId: item[FULFILMENTS_PARTITION_KEY]?.S ?? '',
    eventId: item.eventId?.S ?? '',
    paymentId: item.paymentId?.S ?? '',
    owner: item.owner?.S ?? '',
    createdAt: item.createdAt?.S ?? '',
  }
}

import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb'
import type { TransactWriteItem as DocumentWrite } from '@aws-sdk/lib-dynamodb'
import { marshall, type marshallOptions } from '@aws-sdk/util-dynamodb'

export type { DocumentWrite }

type NativeValues = Record<string, unknown> | undefined

/**
 * Own writes given the way lib-dynamodb takes them (plain JavaScript values, as in its `TransactWriteCommand`),
 * turned into what `addToCompletion` takes. The form is said, never guessed from the shape: `{ S: 'x' }` is a
 * valid plain map too. Marshalled with `@aws-sdk/util-dynamodb`, as lib-dynamodb does; `options` are its
 * `marshallOptions` (e.g. `removeUndefinedValues`).
 *
 * @example
 * ```ts
 * idempotencyOf(context)?.addToCompletion(
 *   ...documentWrites([{ Put: { TableName: 'payments', Item: { paymentId, amount, status: 'paid' } } }]),
 * )
 * ```
 */
export function documentWrites(
  writes: readonly DocumentWrite[],
  options?: marshallOptions,
): TransactWriteItem[] {
  const map = (values: NativeValues): Record<string, AttributeValue> | undefined =>
    values === undefined ? undefined : marshall(values, options)
  return writes.map(({ Put, Update, Delete, ConditionCheck, ...rest }) => {
    const write: TransactWriteItem = { ...rest }
    if (Put)
      write.Put = defined({
        ...Put,
        Item: map(Put.Item) ?? {},
        ExpressionAttributeValues: map(Put.ExpressionAttributeValues),
      })
    if (Update)
      write.Update = defined({
        ...Update,
        Key: map(Update.Key) ?? {},
        ExpressionAttributeValues: map(Update.ExpressionAttributeValues),
      })
    if (Delete)
      write.Delete = defined({
        ...Delete,
        Key: map(Delete.Key) ?? {},
        ExpressionAttributeValues: map(Delete.ExpressionAttributeValues),
      })
    if (ConditionCheck)
      write.ConditionCheck = defined({
        ...ConditionCheck,
        Key: map(ConditionCheck.Key) ?? {},
        ExpressionAttributeValues: map(ConditionCheck.ExpressionAttributeValues),
      })
    return write
  })
}

/** Leaves out members whose value is undefined: DynamoDB refuses an empty ExpressionAttributeValues. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T
}

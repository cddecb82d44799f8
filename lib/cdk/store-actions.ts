/**
 * Every DynamoDB action `DynamoDBStore` performs on the idempotency table, and nothing else: acquire is a
 * conditional PutItem, complete an UpdateItem, release a DeleteItem, get a GetItem, getMany a BatchGetItem.
 *
 * Completion with the handler's own writes sends TransactWriteItems, but IAM has no action of that name: it
 * authorises each action inside the transaction by its own name. The store's part of that transaction is one
 * Update on this table (UpdateItem, already listed); it never sends a ConditionCheck here, so
 * `dynamodb:ConditionCheckItem` is deliberately absent. The handler's own items target its own tables, which
 * its own grants cover.
 *
 * test/cdk/store-actions.test.ts runs the store against DynamoDB Local and fails if this list drifts from the
 * calls it really makes.
 */
export const IDEMPOTENCY_STORE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
] as const

/**
 * What a function needs on a customer-managed key to read and write a table it encrypts (the set aws-cdk-lib
 * grants for read-write data access).
 */
export const IDEMPOTENCY_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
] as const

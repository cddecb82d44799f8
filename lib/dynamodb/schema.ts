/**
 * The idempotency table's attribute names, shared by the runtime store and the CDK construct so the two can
 * never disagree about which attribute is the key or which one DynamoDB's TTL reads.
 */
export const IDEMPOTENCY_ATTRIBUTES = {
  /** Partition key: `${namespace}#${sha256(key)}`; the raw key is never stored. */
  key: 'id',
  status: 'status',
  /** DynamoDB TTL attribute, epoch seconds. TTL deletes late, so every condition and read compares it too. */
  expiresAt: 'expiresAt',
  /** End of the IN_PROGRESS lease, epoch milliseconds. */
  leaseUntil: 'leaseUntilMs',
  /** Random per attempt; completion and release are conditioned on it (fencing). */
  token: 'token',
  fingerprint: 'fingerprint',
  result: 'result',
  resultEncoding: 'resultEncoding',
  completedAt: 'completedAtMs',
} as const

/**
 * The event helpers' own items on the same table: entity versions (version-aware mode) and job watermarks.
 * Their partition key, fencing token and lease reuse `IDEMPOTENCY_ATTRIBUTES.key`, `.token` and `.leaseUntil`;
 * they carry no `expiresAt`, because a forgotten version or watermark would let old work run again.
 */
export const EVENT_STATE_ATTRIBUTES = {
  /** Highest entity version whose processing completed (N). */
  version: 'version',
  /** Version being processed under the lease (N); removed on completion or release. */
  claimedVersion: 'claimedVersion',
  /** A job's high-watermark, as canonical JSON (S). */
  watermark: 'watermark',
} as const

export const IDEMPOTENCY_PARTITION_KEY = IDEMPOTENCY_ATTRIBUTES.key
export const IDEMPOTENCY_TTL_ATTRIBUTE = IDEMPOTENCY_ATTRIBUTES.expiresAt

/** The environment variable the CDK construct sets and `DynamoDBStore` reads when no table name is given. */
export const IDEMPOTENCY_TABLE_ENV = 'IDEMPOTENCY_TABLE_NAME'

/**
 * The CreateTable input `idempotencyTableDefinition` returns: what `new CreateTableCommand(...)` takes, written out
 * so that naming it (the CDK construct's types do, through this module) needs no AWS SDK.
 */
export interface IdempotencyTableDefinition {
  TableName: string
  BillingMode: 'PAY_PER_REQUEST'
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' }[]
  KeySchema: { AttributeName: string; KeyType: 'HASH' }[]
}

/** A CreateTable request for local development and tests; production tables come from the CDK construct. */
export function idempotencyTableDefinition(tableName: string): IdempotencyTableDefinition {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_PARTITION_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: IDEMPOTENCY_PARTITION_KEY, KeyType: 'HASH' }],
  }
}

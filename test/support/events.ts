import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type {
  AttributeValue,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  EventBridgeEvent,
  MSKEvent,
  MSKRecord,
  SelfManagedKafkaEvent,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda'
import { beforeAll, beforeEach } from 'vitest'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from './dynamodb.js'

// Builders for the event shapes Lambda delivers, as documented and typed by @types/aws-lambda.

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:orders'

export function sqsRecord(
  messageId: string,
  body: unknown,
  options: { groupId?: string; deduplicationId?: string; attributes?: Record<string, string> } = {},
): SQSRecord {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1767225600000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1767225600001',
      ...(options.groupId !== undefined && {
        MessageGroupId: options.groupId,
        MessageDeduplicationId: options.deduplicationId ?? messageId,
        SequenceNumber: '18849496460467696128',
      }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(options.attributes ?? {}).map(([name, value]) => [
        name,
        { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: options.groupId === undefined ? QUEUE_ARN : `${QUEUE_ARN}.fifo`,
    awsRegion: 'eu-west-1',
  }
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records })

/**
 * The same message handed to Lambda again (visibility timeout, a failed batch, a second poller): SQS keeps its
 * `messageId`, body and attributes, and gives it a new receipt handle and a higher receive count.
 */
export function redelivered(record: SQSRecord): SQSRecord {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) + 1
  return {
    ...record,
    receiptHandle: `${record.receiptHandle}-${receiveCount}`,
    attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) },
  }
}

export function kafkaRecord(topic: string, partition: number, offset: number, value: unknown): MSKRecord {
  return {
    topic,
    partition,
    offset,
    timestamp: 1767225600000 + offset,
    timestampType: 'CREATE_TIME',
    key: Buffer.from(`key-${offset}`).toString('base64'),
    value: Buffer.from(JSON.stringify(value)).toString('base64'),
    headers: [{ traceId: [116, 49] }],
  }
}

/** Lambda groups Kafka records by `${topic}-${partition}`. */
function byPartition(records: MSKRecord[]): Record<string, MSKRecord[]> {
  const grouped: Record<string, MSKRecord[]> = {}
  for (const record of records) {
    const partition = `${record.topic}-${record.partition}`
    grouped[partition] = [...(grouped[partition] ?? []), record]
  }
  return grouped
}

export const mskEvent = (...records: MSKRecord[]): MSKEvent => ({
  eventSource: 'aws:kafka',
  eventSourceArn:
    'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd1234-ab12-cd34-ef56-abcdef123456-1',
  bootstrapServers: 'b-1.orders.kafka.eu-west-1.amazonaws.com:9098',
  records: byPartition(records),
})

export const selfManagedKafkaEvent = (...records: MSKRecord[]): SelfManagedKafkaEvent => ({
  eventSource: 'SelfManagedKafka',
  bootstrapServers: 'kafka-1.example.com:9092',
  records: byPartition(records),
})

export function streamRecord(
  sequenceNumber: string,
  keys: Record<string, AttributeValue>,
  newImage: Record<string, AttributeValue>,
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'MODIFY',
): DynamoDBRecord {
  return {
    eventID: `event-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      ApproximateCreationDateTime: 1767225600,
      Keys: keys,
      NewImage: newImage,
      SequenceNumber: sequenceNumber,
      SizeBytes: 59,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/payments/stream/2026-01-01T00:00:00.000',
  }
}

export const streamEvent = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records })

export function eventBridgeEvent<TDetail>(
  id: string,
  detail: TDetail,
): EventBridgeEvent<'OrderPlaced', TDetail> {
  return {
    id,
    version: '0',
    account: '123456789012',
    time: '2026-01-01T00:00:00Z',
    region: 'eu-west-1',
    resources: [],
    source: 'com.example.orders',
    'detail-type': 'OrderPlaced',
    detail,
  }
}

/**
 * Counts the DynamoDB commands a client sends (one per logical call: the SDK's own retries are not counted),
 * so tests assert what a batch costs in store calls.
 */
export function countCommands(client: DynamoDBClient) {
  let sent: string[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''))
      return next(args)
    },
    { step: 'initialize', name: 'countCommandsForTests' },
  )
  return {
    /** Commands sent since the last reset, by name: `{ BatchGetItem: 1, PutItem: 5 }`. */
    counts(): Record<string, number> {
      const counts: Record<string, number> = {}
      for (const name of sent) counts[name] = (counts[name] ?? 0) + 1
      return counts
    },
    reset() {
      sent = []
    },
  }
}

/**
 * One idempotency table on DynamoDB Local per test file, a store on it, and a command counter reset before each
 * test. Call at module level; read `store` inside tests (it exists once `beforeAll` ran).
 */
export function idempotencyStoreOnDynamoDBLocal() {
  const client = testDynamoDBClient()
  const commands = countCommands(client)
  const setup = { client, commands, store: undefined as unknown as DynamoDBStore }
  beforeAll(async () => {
    setup.store = new DynamoDBStore({ tableName: await createIdempotencyTestTable(client), client })
  })
  beforeEach(() => commands.reset())
  return setup
}

/** A logger for tests that provoke warnings on purpose. */
export const silent = { warn: () => undefined }

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { marshall } from '@aws-sdk/util-dynamodb'
import type { Context, DynamoDBRecord, SQSRecord } from 'aws-lambda'
import { createPaymentHandler } from '../../functions/handlers/create-payment.js'
import type { EventQueue, QueueMessage } from '../../functions/shared/event-queue.js'
import { type ChargeRequest, createSimulatedGateway } from '../../functions/shared/gateway.js'
import { type PaymentSucceededEvent, parsePaymentSucceeded } from '../../functions/shared/outbox.js'
import { scanAll } from '../../functions/shared/reads.js'
import type { SampleTableNames } from '../../functions/shared/tables.js'
import type { HttpResult } from '../../lib/http/index.js'
import { uniqueTableName } from './dynamodb.js'
import { sqsRecord, streamRecord } from './events.js'
import { httpApiEvent } from './http-events.js'
import { festivalSale, freshKey } from './local-api.js'
import { lambdaContext } from './records.js'

/** The payment function's timeout: its lease ends this long after the claim, plus the engine's 2 s margin. */
export const PAYMENT_TIMEOUT_MS = 10_000

export function sampleTables(prefix: string): SampleTableNames {
  return {
    idempotency: uniqueTableName(`${prefix}-idem`),
    payments: uniqueTableName(`${prefix}-payments`),
    gatewayLedger: uniqueTableName(`${prefix}-ledger`),
    outbox: uniqueTableName(`${prefix}-outbox`),
    fulfilments: uniqueTableName(`${prefix}-fulfilments`),
  }
}

/**
 * create-payment on DynamoDB Local with a clock the test moves and a gateway that can hold a call right after
 * charging (an invocation stalled between its charge and its completion); `resumeOldest` lets it go on.
 */
export function paymentsWithPausableGateway(db: DynamoDBClient, tables: SampleTableNames) {
  let clockEpochMs = Date.now()
  let pausesPending = 0
  const paused: (() => void)[] = []
  const real = createSimulatedGateway({ client: db, ledgerTableName: tables.gatewayLedger, latencyMs: 0 })
  const gateway = {
    async charge(request: ChargeRequest) {
      const charge = await real.charge(request)
      if (pausesPending > 0) {
        pausesPending--
        await new Promise<void>((resume) => paused.push(resume))
      }
      return charge
    },
  }
  const handler = createPaymentHandler(
    { client: db, tables, gateway },
    { now: () => clockEpochMs, logger: { warn: () => undefined } },
  )
  const pay = (sub: string, options: { key?: string; body?: unknown } = {}): Promise<HttpResult> =>
    handler(
      httpApiEvent({
        sub,
        headers: { 'Idempotency-Key': options.key ?? freshKey(), 'Content-Type': 'application/json' },
        body: options.body ?? festivalSale,
      }),
      lambdaContext(PAYMENT_TIMEOUT_MS, 'create-payment') as unknown as Context,
    )
  return {
    pay,
    pauseAfterNextCharge() {
      pausesPending++
    },
    pausedCount: () => paused.length,
    resumeOldest: () => paused.shift()?.(),
    advanceClock(ms: number) {
      clockEpochMs += ms
    },
  }
}

/** The outbox's events whose payment belongs to `owner`, read back from the table. */
export async function outboxEventsOf(
  db: DynamoDBClient,
  outboxTable: string,
  owner: string,
): Promise<PaymentSucceededEvent[]> {
  return (await scanAll(db, outboxTable))
    .map((item) => parsePaymentSucceeded(typeof item.body === 'string' ? item.body : ''))
    .filter((event): event is PaymentSucceededEvent => event?.payment.owner === owner)
}

/** The INSERT stream records (NEW_IMAGE) the outbox's stream would carry for these events' items. */
export async function streamRecordsOf(
  db: DynamoDBClient,
  outboxTable: string,
  eventIds: readonly string[],
): Promise<DynamoDBRecord[]> {
  const items = await scanAll(db, outboxTable)
  return eventIds.map((eventId, n) => {
    const item = items.find((candidate) => candidate.eventId === eventId)
    if (item === undefined) throw new Error(`No outbox item ${eventId}`)
    // A stream carries the item marshalled; the outbox holds strings and numbers, which need no base64 step.
    const image = marshall(item) as NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>
    return {
      ...streamRecord(String(10n ** 20n + BigInt(n)), { eventId: { S: eventId } }, image, 'INSERT'),
      eventID: `${eventId}-insert`,
    }
  })
}

/**
 * A queue that keeps what it was sent, as SQS would, under fresh message ids. `refuse` names messages it does
 * not accept (reported back as not sent); `failWhole` makes the next calls reject outright.
 */
export function capturingQueue(refuse: (message: QueueMessage) => boolean = () => false) {
  const sent: SQSRecord[] = []
  let wholeFailures = 0
  let calls = 0
  const queue: EventQueue = {
    async send(messages) {
      calls++
      if (wholeFailures > 0) {
        wholeFailures--
        throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' })
      }
      const refused = new Set(messages.filter(refuse).map((message) => message.id))
      for (const message of messages.filter(({ id }) => !refused.has(id)))
        sent.push(sqsRecord(`msg-${sent.length + 1}`, message.body, { attributes: message.attributes }))
      return refused
    },
  }
  const failWhole = (count: number) => {
    wholeFailures = count
  }
  return { queue, sent, calls: () => calls, failWhole }
}

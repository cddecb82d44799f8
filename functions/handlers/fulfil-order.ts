import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { DynamoDBStore, documentWrites } from '../../lib/dynamodb/index.js'
import {
  type IdempotentBatchOptions,
  makeIdempotentBatchHandler,
  sqsBatch,
  sqsBodyKey,
} from '../../lib/events/index.js'
import { idempotencyOf } from '../../lib/index.js'
import type { FulfilmentDependencies } from '../shared/environment.js'
import { fulfilmentPut, getFulfilment } from '../shared/fulfilments.js'
import { parsePaymentSucceeded } from '../shared/outbox.js'

/** 22 base64url characters carry 132 bits: ids stay short to read and never collide in practice. */
const FULFILMENT_ID_CHARACTERS = 22

/** `now` moves the idempotency clock (leases, retention) and stamps the fulfilment; tests move it. */
export type FulfilOrderOptions = Pick<
  IdempotentBatchOptions<SQSRecord, unknown>,
  'logger' | 'onOutcome' | 'onRecord' | 'now'
>

/**
 * Order fulfilment: one fulfilment per paid payment, however often its event arrives. Records are keyed by the
 * producer's event id, not the SQS messageId: the stream can hand the publisher one event twice, and the
 * publisher then sends it as two messages with two messageIds. The fulfilment commits in one transaction with
 * the record's completion, so a crash leaves neither and the redelivery makes it.
 */
export function fulfilOrderHandler(
  deps: FulfilmentDependencies,
  options: FulfilOrderOptions = {},
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const store = new DynamoDBStore({ tableName: deps.tables.idempotency, client: deps.client })
  const now = options.now ?? Date.now

  async function fulfil(record: SQSRecord, context: Context): Promise<{ fulfilmentId: string }> {
    const handle = idempotencyOf(context)
    // Fail closed: without a held key nothing stops a second fulfilment.
    if (handle === undefined) throw new Error('fulfil-order must run under makeIdempotentBatchHandler')
    const event = parsePaymentSucceeded(record.body)
    if (event === undefined) throw new Error('The message is not a payment-succeeded event')
    // The same on every delivery of the event, so even a run past the record's retention names this fulfilment.
    const fulfilmentId = `ful_${handle.stableKey('fulfilment').slice(0, FULFILMENT_ID_CHARACTERS)}`
    // Found only when the event outlived its idempotency record (a message redriven from the DLQ days later).
    const earlier = await getFulfilment(deps.client, deps.tables.fulfilments, fulfilmentId)
    if (earlier === undefined) {
      const { paymentId, owner } = event.payment
      const createdAt = new Date(now()).toISOString()
      const fulfilment = { fulfilmentId, eventId: event.eventId, paymentId, owner, createdAt }
      handle.addToCompletion(...documentWrites([fulfilmentPut(deps.tables.fulfilments, fulfilment)]))
    }
    return { fulfilmentId }
  }

  return makeIdempotentBatchHandler(sqsBatch, fulfil, {
    store,
    key: sqsBodyKey('eventId'),
    operation: 'fulfil-order',
    // Keys, and the fulfilment ids derived from them, survive a rename of the function or a blue/green deploy.
    namespace: 'fulfil-order',
    ...options,
  })
}

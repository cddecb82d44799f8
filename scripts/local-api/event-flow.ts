import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { fulfilOrderHandler } from '../../functions/handlers/fulfil-order.js'
import { publishOutboxHandler } from '../../functions/handlers/publish-outbox.js'
import { listFulfilments } from '../../functions/shared/fulfilments.js'
import { paymentEventId } from '../../functions/shared/outbox.js'
import type { SampleTableNames } from '../../functions/shared/tables.js'
import type { IdempotencyLogger, IdempotencyOutcome } from '../../lib/index.js'
import { LocalQueue } from './local-queue.js'
import { OutboxPoller } from './outbox-poller.js'

/**
 * 200 ms between outbox polls: a fulfilment shows up a moment after its payment, as with a real stream (which
 * takes a few hundred milliseconds too), and a scan of a local outbox five times a second costs nothing.
 */
const POLL_INTERVAL_MS = 200

export interface FulfilmentCount {
  readonly paymentId: string
  /** Fulfilments made for the payment: 1, however often its event was delivered. */
  readonly fulfilments: number
  /** Messages carrying the payment's event that the consumer received, repeats included. */
  readonly deliveries: number
}

export interface LocalEventFlow {
  /** Makes the poller deliver each of the next `count` outbox records twice, as a retried stream batch does. */
  duplicateNext(count: number): void
  fulfilmentCounts(): Promise<{ fulfilments: FulfilmentCount[]; deadLetters: number }>
  /** Stops polling once the round in progress has finished. */
  stop(): Promise<void>
}

/**
 * The event half of the sample, run in process: the outbox poller feeds the publisher's handler with stream
 * records, the publisher sends to an in-process queue, and the queue feeds fulfil-order's handler with SQS
 * events. The handlers are the ones deployed; only the plumbing between them is local.
 */
export function startEventFlow(options: {
  client: DynamoDBDocumentClient
  tables: SampleTableNames
  logger: IdempotencyLogger
  log: (line: string) => void
  /** fulfil-order's outcomes, for the console. */
  onOutcome?: (outcome: IdempotencyOutcome) => void
}): LocalEventFlow {
  const { client, tables, logger, log, onOutcome } = options
  const queue = new LocalQueue()
  const poller = new OutboxPoller(client, tables.outbox, publishOutboxHandler(queue, logger))
  const consumer = fulfilOrderHandler({ client, tables }, { logger, onOutcome })

  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let round: Promise<void> = Promise.resolve()
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      round = poller
        .poll(log)
        .then(() => queue.deliver(consumer, log))
        .catch((error: Error) => log(`outbox poll failed: ${error.message}`))
        .finally(schedule)
    }, POLL_INTERVAL_MS)
    // A forgotten stop() must not keep the process alive.
    timer.unref()
  }
  schedule()

  return {
    duplicateNext: (count) => poller.duplicateNext(count),
    async fulfilmentCounts() {
      const counts = new Map<string, number>()
      for (const { paymentId } of await listFulfilments(client, tables.fulfilments))
        counts.set(paymentId, (counts.get(paymentId) ?? 0) + 1)
      const fulfilments = [...counts].map(([paymentId, fulfilments]) => ({
        paymentId,
        fulfilments,
        deliveries: queue.deliveries.get(paymentEventId(paymentId)) ?? 0,
      }))
      return { fulfilments, deadLetters: queue.deadLetters.length }
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await round
    },
  }
}

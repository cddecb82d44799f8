import type { DurableContext } from '@aws/durable-execution-sdk-js'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import {
  IdempotencyPayloadMismatchError,
  InMemoryStore,
  idempotency,
  idempotencyOf,
  logOutcomes,
  makeIdempotent,
} from 'lambda-idempotency'
import { executionNameFor, LambdaDurableExecutions, makeDurableIdempotent } from 'lambda-idempotency/durable'
import { makeHttpIdempotent } from 'lambda-idempotency/http'

// The usage a reader of the README writes, against the installed tarball: with Middy, without it, the HTTP
// preset. Shared by the ESM and the CommonJS consumer, so both builds answer the same questions.

interface Order {
  readonly orderId: string
  readonly amount: number
}

const context = {
  functionName: 'smoke',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`smoke: ${message}`)
}

export async function withoutMiddy(): Promise<void> {
  let runs = 0
  const handler = makeIdempotent(
    async (event: Order) => {
      runs++
      return { charged: event.amount }
    },
    { store: new InMemoryStore(), key: (event) => event.orderId, logger: { warn: () => {} } },
  )
  const first = await handler({ orderId: 'o-1', amount: 5 }, context)
  const again = await handler({ orderId: 'o-1', amount: 5 }, context)
  check(runs === 1 && again.charged === first.charged, 'makeIdempotent replays the first result')
  const mismatch = await handler({ orderId: 'o-1', amount: 6 }, context).catch((error: unknown) => error)
  check(mismatch instanceof IdempotencyPayloadMismatchError, 'a reused key with another payload is refused')
}

export async function withMiddy(): Promise<void> {
  let runs = 0
  let heldKey = false
  const lines: string[] = []
  const outcomes = logOutcomes({
    info: (message, fields) => lines.push(`${message} ${JSON.stringify(fields)}`),
    warn: () => {},
    error: () => {},
  })
  const handler = middy(async (event: Order, context: Context) => {
    runs++
    heldKey = idempotencyOf(context) !== undefined
    return { charged: event.amount }
  }).use(
    idempotency({ store: new InMemoryStore(), key: (event: Order) => event.orderId, onOutcome: outcomes }),
  )
  await handler({ orderId: 'o-2', amount: 7 }, context)
  const again = await handler({ orderId: 'o-2', amount: 7 }, context)
  check(runs === 1 && again.charged === 7, 'the Middy middleware replays the first result')
  check(heldKey, 'idempotencyOf(context) finds the handle inside the handler')
  check(lines.length === 2 && !lines.join().includes('o-2'), 'outcomes are logged with hashed keys only')
}

export async function http(): Promise<void> {
  const handler = makeHttpIdempotent(async () => ({ statusCode: 201, body: '{"ok":true}' }), {
    store: new InMemoryStore(),
    principal: () => 'user-1',
  })
  const event = {
    version: '2.0',
    rawPath: '/orders',
    headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' },
    body: '{"amount":5}',
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/orders' } },
    routeKey: 'POST /orders',
  } as never
  await handler(event, context)
  const replay = await handler(event, context)
  check(replay.headers?.['Idempotent-Replayed'] === 'true', 'the HTTP preset marks replays')
}

export async function durable(): Promise<void> {
  // The durable function as Lambda runs it, on the SDK's local runner: makeDurableIdempotent is the handler.
  const { LocalDurableTestRunner } = await import('@aws/durable-execution-sdk-js-testing')
  await LocalDurableTestRunner.setupTestEnvironment({ skipTime: true })
  let runs = 0
  try {
    const handler = makeDurableIdempotent(
      async (event: Order, durableContext: DurableContext) => {
        runs++
        const charged = await durableContext.step('charge', async () => event.amount)
        return { charged }
      },
      { store: new InMemoryStore(), key: (event) => event.orderId, executionTimeoutSeconds: 3600 },
    )
    const run = () =>
      new LocalDurableTestRunner<{ charged: number }>({ handlerFunction: handler }).run({
        payload: { orderId: 'o-3', amount: 9 },
      })
    await run()
    const again = await run()
    check(
      runs === 1 && again.getResult()?.charged === 9,
      'a second durable execution with the key gets the first result',
    )
  } finally {
    await LocalDurableTestRunner.teardownTestEnvironment()
  }
  check(/^[\w-]{43}$/.test(executionNameFor('payouts#key')), 'execution names fit Lambda’s naming rules')
  check(
    new LambdaDurableExecutions({ functionName: 'payouts:live' }) !== undefined,
    'the Lambda executions load',
  )
}

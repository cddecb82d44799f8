import { randomUUID } from 'node:crypto'
import { DynamoDBClient, type DynamoDBClientConfig, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { type Payment, paymentPut, paymentView } from '../functions/shared/payments.js'
import { documentWrites } from '../lib/dynamodb/index.js'
import { idempotencyOf } from '../lib/index.js'
import { type BenchHandler, SIDES, type Side, wrap } from './contenders.js'
import { type BenchTables, type RecordedCall, recordCalls } from './dynamodb.js'
import { benchContext, orderEvent, orderHistory, withKey } from './workload.js'

export interface CallRow {
  readonly path: string
  /** The fewest calls the path can take: one acquire plus one completion, one call to answer a retry. */
  readonly floor: number
  readonly calls: Record<Side, readonly string[]>
  /** The same calls with the inputs the SDK was given: what bench/capacity.ts sizes them by. */
  readonly recorded: Record<Side, readonly RecordedCall[]>
}

interface Scenario {
  readonly path: string
  readonly floor: number
  /** Runs the path once and returns the calls of the measured request only. */
  run(side: Side, env: Env): Promise<readonly RecordedCall[]>
}

interface Env {
  readonly client: DynamoDBClient
  readonly tables: BenchTables
  readonly recorded: { readonly calls: RecordedCall[]; clear(): void }
}

const EVENT = orderEvent(1024)
const RECEIPT = { status: 'accepted' }
const fresh = () => withKey(EVENT, randomUUID())
const ok: BenchHandler = async () => RECEIPT
/** A customer's order history, about 100 KB of JSON: the result the cost model shows compression paying on. */
const LARGE_RESULT = orderHistory(100 * 1024)
const large: BenchHandler = async () => LARGE_RESULT

function handlerFor(side: Side, env: Env, handler: BenchHandler, localCache = false) {
  return wrap(side, handler, { client: env.client, tableName: env.tables.idempotency[side], localCache })
}

/** The calls `measured` makes; whatever ran before it is not counted. */
async function callsOf(env: Env, measured: () => Promise<unknown>): Promise<readonly RecordedCall[]> {
  env.recorded.clear()
  await measured()
  return [...env.recorded.calls]
}

/** A request completes unobserved; then its retry is counted. */
async function replayCalls(
  side: Side,
  env: Env,
  localCache: boolean,
  result = ok,
): Promise<readonly RecordedCall[]> {
  const handler = handlerFor(side, env, result, localCache)
  const event = fresh()
  await handler(event, benchContext())
  return callsOf(env, () => handler(event, benchContext()))
}

function mustReject(promise: Promise<unknown>, path: string): Promise<void> {
  return promise.then(
    () => {
      throw new Error(`${path}: the request was expected to fail and succeeded`)
    },
    () => undefined,
  )
}

const SCENARIOS: readonly Scenario[] = [
  {
    path: 'fresh success',
    floor: 2,
    run: (side, env) => callsOf(env, () => handlerFor(side, env, ok)(fresh(), benchContext())),
  },
  {
    path: 'replay',
    floor: 1,
    run: (side, env) => replayCalls(side, env, false),
  },
  {
    path: 'in-flight duplicate',
    floor: 1,
    async run(side, env) {
      let entered = () => {}
      let release = () => {}
      const running = new Promise<void>((resolve) => {
        entered = resolve
      })
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const handler = handlerFor(side, env, async () => {
        entered()
        await gate
        return RECEIPT
      })
      const event = fresh()
      const first = handler(event, benchContext())
      await running
      const calls = await callsOf(env, () =>
        mustReject(handler(event, benchContext()), 'in-flight duplicate'),
      )
      release()
      await first.catch(() => undefined)
      return calls
    },
  },
  {
    path: 'handler error',
    floor: 2,
    run(side, env) {
      const handler = handlerFor(side, env, async () => {
        throw new Error('declined by the bench')
      })
      return callsOf(env, () => mustReject(handler(fresh(), benchContext()), 'handler error'))
    },
  },
  {
    path: 'replay, warm local cache',
    floor: 0,
    run: (side, env) => replayCalls(side, env, true),
  },
  {
    path: 'payment with its own write',
    floor: 2,
    run: (side, env) =>
      callsOf(env, () => handlerFor(side, env, payment(side, env))(fresh(), benchContext())),
  },
  {
    path: 'fresh, 100 KB result',
    floor: 2,
    run: (side, env) => callsOf(env, () => handlerFor(side, env, large)(fresh(), benchContext())),
  },
  {
    path: 'replay of a 100 KB result',
    floor: 1,
    run: (side, env) => replayCalls(side, env, false, large),
  },
]

/**
 * The sample payment's own write (functions/shared/payments.ts), without its gateway call, recovery read and outbox
 * event, which cost the same on both sides. Ours joins the put to the completion (one fenced TransactWriteItems); written the
 * Powertools way, the handler sends the put itself between the library's lock and its completion.
 */
function payment(side: Side, env: Env): BenchHandler {
  return async (event, context) => {
    const record: Payment = {
      paymentId: `pay_${randomUUID()}`,
      owner: event.customerId,
      status: 'succeeded',
      amount: event.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0),
      currency: event.currency,
      chargeId: `ch_${randomUUID()}`,
      createdAt: new Date().toISOString(),
    }
    const writes = documentWrites([paymentPut(env.tables.payments, record)])
    const handle = side === 'ours' ? idempotencyOf(context) : undefined
    if (handle) handle.addToCompletion(...writes)
    else for (const write of writes) if (write.Put) await env.client.send(new PutItemCommand(write.Put))
    return paymentView(record)
  }
}

/**
 * Every path, once per library, each library through its own instrumented client; `instrument` adds more
 * middleware to each (the capacity meter).
 */
export async function countStoreCalls(
  config: DynamoDBClientConfig,
  tables: BenchTables,
  instrument?: (client: DynamoDBClient) => void,
): Promise<CallRow[]> {
  const envs = Object.fromEntries(
    SIDES.map((side) => {
      const client = new DynamoDBClient(config)
      const recorded = recordCalls(client)
      instrument?.(client)
      return [side, { client, tables, recorded }]
    }),
  ) as Record<Side, Env>
  try {
    const rows: CallRow[] = []
    for (const scenario of SCENARIOS) {
      const ours = await scenario.run('ours', envs.ours)
      const theirs = await scenario.run('theirs', envs.theirs)
      const names = (calls: readonly RecordedCall[]) => calls.map((call) => call.command)
      rows.push({
        path: scenario.path,
        floor: scenario.floor,
        calls: { ours: names(ours), theirs: names(theirs) },
        recorded: { ours, theirs },
      })
    }
    return rows
  } finally {
    for (const env of Object.values(envs)) env.client.destroy()
  }
}

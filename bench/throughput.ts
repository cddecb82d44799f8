import { randomUUID } from 'node:crypto'
import { DynamoDBClient, type DynamoDBClientConfig, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { type BenchHandler, bare, SIDES, type Side, wrap } from './contenders.js'
import type { BenchTables } from './dynamodb.js'
import { median } from './stats.js'
import { benchContext, orderEvent, withKey } from './workload.js'

export interface ThroughputRow {
  readonly concurrency: number
  /** Median requests per second of the bare handler and of each wrapped one. */
  readonly bareRps: number
  readonly wrappedRps: Record<Side, number>
  /** Median over rounds of wrapped ÷ bare within the same round. */
  readonly ratio: Record<Side, number>
}

export interface ThroughputOptions {
  readonly concurrencies: readonly number[]
  /** Each variant runs this long per round. */
  readonly sliceMs: number
  readonly rounds: number
  /** Load before measuring, shared by the variants: DynamoDB Local (Java) runs 5x slower until its JIT warms up. */
  readonly warmUpMs: number
}

/** The warm-up's callers: enough to exercise DynamoDB Local's request threads the way the 16-way rounds do. */
const WARM_UP_CONCURRENCY = 16

/** The handler both libraries wrap: it stores the order, one PutItem of its own. */
function storeOrder(client: DynamoDBClient, tableName: string): BenchHandler {
  return async (event) => {
    const totalMinor = event.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0)
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          orderId: { S: event.idempotencyKey },
          customerId: { S: event.customerId },
          lineCount: { N: String(event.lines.length) },
          totalMinor: { N: String(totalMinor) },
        },
      }),
    )
    return { orderId: event.idempotencyKey, totalMinor }
  }
}

/** Fresh requests (a new key each) from `concurrency` callers for `sliceMs`; returns requests per second. */
async function requestsPerSecond(handler: BenchHandler, concurrency: number, sliceMs: number) {
  const event = orderEvent(1024)
  const deadlineMs = performance.now() + sliceMs
  let completed = 0
  const caller = async () => {
    while (performance.now() < deadlineMs) {
      await handler(withKey(event, randomUUID()), benchContext())
      completed += 1
    }
  }
  const startMs = performance.now()
  await Promise.all(Array.from({ length: concurrency }, caller))
  return (completed * 1000) / (performance.now() - startMs)
}

/** Wrapped ÷ bare requests per second against DynamoDB Local, sequential and concurrent. */
export async function measureThroughput(
  config: DynamoDBClientConfig,
  tables: BenchTables,
  options: ThroughputOptions,
): Promise<ThroughputRow[]> {
  const client = new DynamoDBClient(config)
  try {
    const handler = storeOrder(client, tables.orders)
    const variants: { name: 'bare' | Side; handler: BenchHandler }[] = [
      { name: 'bare', handler: bare(handler) },
      ...SIDES.map((side) => ({
        name: side,
        handler: wrap(side, handler, { client, tableName: tables.idempotency[side] }),
      })),
    ]
    for (const variant of variants) {
      await requestsPerSecond(variant.handler, WARM_UP_CONCURRENCY, options.warmUpMs / variants.length)
    }
    const rows: ThroughputRow[] = []
    for (const concurrency of options.concurrencies) {
      const rounds: Record<'bare' | Side, number>[] = []
      for (let round = 0; round < options.rounds; round++) {
        const rps = { bare: 0, ours: 0, theirs: 0 }
        for (let i = 0; i < variants.length; i++) {
          const variant = variants[(i + round) % variants.length] as (typeof variants)[number]
          rps[variant.name] = await requestsPerSecond(variant.handler, concurrency, options.sliceMs)
        }
        rounds.push(rps)
      }
      // The machine's load drifts over seconds: a ratio of two slices taken back to back cancels most of it.
      const medianOf = (pick: (rps: Record<'bare' | Side, number>) => number) => median(rounds.map(pick))
      rows.push({
        concurrency,
        bareRps: medianOf((rps) => rps.bare),
        wrappedRps: { ours: medianOf((rps) => rps.ours), theirs: medianOf((rps) => rps.theirs) },
        ratio: {
          ours: medianOf((rps) => rps.ours / rps.bare),
          theirs: medianOf((rps) => rps.theirs / rps.bare),
        },
      })
    }
    return rows
  } finally {
    client.destroy()
  }
}

import { randomUUID } from 'node:crypto'
import { DynamoDBClient, type DynamoDBClientConfig, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { type BenchHandler, bare, SIDES, type Side, wrap } from './contenders.js'
import type { BenchTables } from './dynamodb.js'
import { benchContext, orderEvent, withKey } from './workload.js'

export interface ThroughputRow {
  readonly concurrency: number
  /** Best-round requests per second of the bare handler and of each wrapped one. */
  readonly bareRps: number
  readonly wrappedRps: Record<Side, number>
}

export interface ThroughputOptions {
  readonly concurrencies: readonly number[]
  /** Each variant runs this long per round; the first round warms DynamoDB Local's JIT and is dropped. */
  readonly sliceMs: number
  readonly rounds: number
}

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
    const rows: ThroughputRow[] = []
    for (const concurrency of options.concurrencies) {
      const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]))
      for (let round = 0; round <= options.rounds; round++) {
        for (let i = 0; i < variants.length; i++) {
          const variant = variants[(i + round) % variants.length] as (typeof variants)[number]
          const rps = await requestsPerSecond(variant.handler, concurrency, options.sliceMs)
          if (round > 0) samples.get(variant.name)?.push(rps)
        }
      }
      // Other work on the machine only ever slows a round down: the best round is the least disturbed.
      const best = (name: string) => Math.max(...(samples.get(name) ?? []))
      rows.push({
        concurrency,
        bareRps: best('bare'),
        wrappedRps: { ours: best('ours'), theirs: best('theirs') },
      })
    }
    return rows
  } finally {
    client.destroy()
  }
}

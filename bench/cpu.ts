import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { type BenchHandler, bare, type Side, wrap, wrapTheirsDefault } from './contenders.js'
import { type BenchTables, type Item, keyWritten, readItem, recordCalls } from './dynamodb.js'
import { median } from './stats.js'
import { stubClient } from './stub-client.js'
import { benchContext, type OrderEvent, orderEvent, orderHistory } from './workload.js'

export interface CpuCase {
  readonly path: 'fresh' | 'replay'
  readonly eventBytes: number
  /** Bytes of JSON the handler returns; a small receipt when omitted. */
  readonly responseBytes?: number
}

export interface CpuRow {
  readonly case: CpuCase
  /** Median CPU µs per invocation of the bare Middy handler and of each wrapped one. */
  readonly bareMicros: number
  readonly wrappedMicros: Record<Side, number>
  /** Powertools in its quick-start configuration (whole event as the key, no payload check). */
  readonly theirsDefaultMicros: number
}

export interface CpuOptions {
  /** Each variant runs for this long per round; rounds alternate the variants so drift hits all alike. */
  readonly sliceMs: number
  readonly rounds: number
}

type Variant = 'bare' | Side | 'theirsDefault'
type WrapWith = (client: DynamoDBClient) => BenchHandler

/** Invocations awaited back to back between clock reads, so reading the clock costs next to nothing. */
const CALLS_PER_BATCH = 20

/**
 * CPU time (user + system, every thread of this process: GC included) per invocation. On a machine shared with
 * other work, CPU time stays put where wall time swells with every process that competes for the cores.
 */
async function cpuMicrosPerCall(invoke: () => Promise<unknown>, sliceMs: number): Promise<number> {
  let calls = 0
  const startMs = performance.now()
  const startCpu = process.cpuUsage()
  do {
    for (let i = 0; i < CALLS_PER_BATCH; i++) await invoke()
    calls += CALLS_PER_BATCH
  } while (performance.now() - startMs < sliceMs)
  const used = process.cpuUsage(startCpu)
  return (used.user + used.system) / calls
}

function handlerFor(responseBytes: number | undefined): BenchHandler {
  if (responseBytes !== undefined) {
    const response = orderHistory(responseBytes)
    return async () => response
  }
  return async (event) => ({ customerId: event.customerId, status: 'accepted', lines: event.lines.length })
}

/**
 * The record a real completed request leaves in DynamoDB Local, for the stub to answer replays with: the same
 * bytes each library would get back from its refused acquire in production.
 */
async function storedRecord(
  config: DynamoDBClientConfig,
  tableName: string,
  wrapWith: (client: DynamoDBClient) => BenchHandler,
  event: OrderEvent,
): Promise<Item> {
  const client = new DynamoDBClient(config)
  const recorded = recordCalls(client)
  try {
    await wrapWith(client)(event, benchContext())
    return await readItem(client, tableName, keyWritten(recorded.calls, tableName))
  } finally {
    client.destroy()
  }
}

async function measureCase(
  config: DynamoDBClientConfig,
  tables: BenchTables,
  cpuCase: CpuCase,
  options: CpuOptions,
): Promise<CpuRow> {
  const event = orderEvent(cpuCase.eventBytes, cpuCase.eventBytes)
  const handler = handlerFor(cpuCase.responseBytes)
  const variants: { name: Variant; handler: BenchHandler }[] = [{ name: 'bare', handler: bare(handler) }]
  const wrappers: Record<Exclude<Variant, 'bare'>, WrapWith> = {
    ours: (client) => wrap('ours', handler, { client, tableName: tables.idempotency.ours }),
    theirs: (client) => wrap('theirs', handler, { client, tableName: tables.idempotency.theirs }),
    theirsDefault: (client) => wrapTheirsDefault(handler, { client, tableName: tables.idempotency.theirs }),
  }
  for (const [name, wrapWith] of Object.entries(wrappers) as [Exclude<Variant, 'bare'>, WrapWith][]) {
    const tableName = name === 'ours' ? tables.idempotency.ours : tables.idempotency.theirs
    const existing =
      cpuCase.path === 'replay' ? await storedRecord(config, tableName, wrapWith, event) : undefined
    variants.push({ name, handler: wrapWith(stubClient(existing)) })
  }
  const samples = new Map<Variant, number[]>(variants.map((variant) => [variant.name, []]))
  // Round 0 warms the JIT and is thrown away.
  for (let round = 0; round <= options.rounds; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length] as (typeof variants)[number]
      const micros = await cpuMicrosPerCall(() => variant.handler(event, benchContext()), options.sliceMs)
      if (round > 0) samples.get(variant.name)?.push(micros)
    }
  }
  const medianOf = (name: Variant) => median(samples.get(name) ?? [])
  return {
    case: cpuCase,
    bareMicros: medianOf('bare'),
    wrappedMicros: { ours: medianOf('ours'), theirs: medianOf('theirs') },
    theirsDefaultMicros: medianOf('theirsDefault'),
  }
}

/** CPU per invocation with a client that answers at once: bare Middy handler against each wrapped one. */
export async function measureCpu(
  config: DynamoDBClientConfig,
  tables: BenchTables,
  cases: readonly CpuCase[],
  options: CpuOptions,
): Promise<CpuRow[]> {
  const rows: CpuRow[] = []
  for (const cpuCase of cases) rows.push(await measureCase(config, tables, cpuCase, options))
  return rows
}

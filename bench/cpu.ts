import { randomUUID } from 'node:crypto'
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { type BenchHandler, bare, type Side, wrap, wrapTheirsDefault } from './contenders.js'
import { type BenchTables, recordLeftBy } from './dynamodb.js'
import { sdkStubClient } from './sdk-stub-client.js'
import { stubClient } from './stub-client.js'
import { benchContext, type OrderEvent, orderEvent, orderHistory, withKey } from './workload.js'

export interface CpuCase {
  readonly path: 'fresh' | 'replay'
  readonly eventBytes: number
  /** Bytes of JSON the handler returns; a small receipt when omitted. */
  readonly responseBytes?: number
}

export interface CpuRow {
  readonly case: CpuCase
  /** Best-round CPU µs per invocation of the bare Middy handler and of each wrapped one. */
  readonly bareMicros: number
  readonly wrappedMicros: Record<Side, number>
  /** Powertools in its quick-start configuration (whole event as the key, no payload check). */
  readonly theirsDefaultMicros: number
}

export interface CpuOptions {
  /** Each variant runs for this long (wall clock) per round; rounds interleave variants and cases. */
  readonly sliceMs: number
  readonly rounds: number
  /**
   * `send`: a bare `send` that answers at once (the library's own CPU). `sdk`: a real DynamoDBClient whose HTTP
   * handler answers at once (what a function pays, the SDK's pipeline included). @default 'send'
   */
  readonly client?: 'send' | 'sdk'
}

type Variant = 'bare' | Side | 'theirsDefault'
type WrapWith = (client: DynamoDBClient) => BenchHandler

/** Measured in the first case, one warm-up round left the JIT still compiling; two leave it settled. */
const WARM_UP_ROUNDS = 2

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

export interface Prepared {
  readonly case: CpuCase
  readonly event: OrderEvent
  readonly variants: readonly { readonly name: Variant; readonly handler: BenchHandler }[]
  readonly samples: Map<Variant, number[]>
}

export async function prepare(
  config: DynamoDBClientConfig,
  tables: BenchTables,
  cpuCase: CpuCase,
  client: CpuOptions['client'] = 'send',
): Promise<Prepared> {
  // A key of its own: cases with the same event would otherwise share a record, and a replay case prepared
  // after another would replay that case's result instead of its own.
  const event = withKey(orderEvent(cpuCase.eventBytes, cpuCase.eventBytes), randomUUID())
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
      cpuCase.path === 'replay' ? await recordLeftBy(config, tableName, wrapWith, event) : undefined
    variants.push({ name, handler: wrapWith((client === 'sdk' ? sdkStubClient : stubClient)(existing)) })
  }
  return { case: cpuCase, event, variants, samples: new Map(variants.map((variant) => [variant.name, []])) }
}

/** One slice of every variant of every case, the order rotated by round so no variant always goes first. */
async function round(prepared: readonly Prepared[], index: number, sliceMs: number, keep: boolean) {
  for (const { event, variants, samples } of prepared) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + index) % variants.length] as Prepared['variants'][number]
      const micros = await cpuMicrosPerCall(() => variant.handler(event, benchContext()), sliceMs)
      if (keep) samples.get(variant.name)?.push(micros)
    }
  }
}

/**
 * CPU per invocation with a client that answers at once: bare Middy handler against each wrapped one. Rounds
 * over everything first let the JIT settle (its compiler threads count as this process's CPU); then each
 * variant's best round is kept: other work on the machine only ever adds time, so the minimum is the estimate
 * least disturbed by it.
 */
export async function measureCpu(
  config: DynamoDBClientConfig,
  tables: BenchTables,
  cases: readonly CpuCase[],
  options: CpuOptions,
): Promise<CpuRow[]> {
  const prepared: Prepared[] = []
  for (const cpuCase of cases) prepared.push(await prepare(config, tables, cpuCase, options.client))
  for (let index = 0; index < WARM_UP_ROUNDS; index++) await round(prepared, index, options.sliceMs, false)
  for (let index = 0; index < options.rounds; index++) await round(prepared, index, options.sliceMs, true)
  return prepared.map(({ case: cpuCase, samples }) => {
    const best = (name: Variant) => Math.min(...(samples.get(name) ?? []))
    return {
      case: cpuCase,
      bareMicros: best('bare'),
      wrappedMicros: { ours: best('ours'), theirs: best('theirs') },
      theirsDefaultMicros: best('theirsDefault'),
    }
  })
}

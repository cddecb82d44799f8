import type { CallRow } from './calls.js'
import type { Side } from './contenders.js'
import {
  type Cost,
  costPerMillion,
  DEFAULT_COST_OPTIONS,
  FULL_VCPU_MEMORY_MB,
  type MeteredCall,
  PRICES,
  type Units,
  unitsOf,
  usdPerMillionPerDurationMs,
  writeUnits,
} from './cost.js'
import type { CpuRow } from './cpu.js'
import type { ItemSizeRow } from './item-size.js'
import { fixed, integer } from './table.js'

type PerSide<T> = Record<Side, T>

export interface CostRow {
  readonly label: string
  /** True where the path's CPU was not timed on its own and another path's stands in (see COST_PATHS). */
  readonly cpuBorrowed: boolean
  readonly units: PerSide<Units>
  readonly cpuMicros: PerSide<number>
  readonly cost: PerSide<Cost>
}

const KB = 1024

/**
 * The paths priced, by their name in bench/calls.ts, and the CPU case (bench/run.ts, all with a 1 KB event)
 * whose overhead they carry. An in-flight duplicate does what a replay does (one refused acquire, an answer
 * from the record it returns); a handler error and a payment do a fresh request's work around other calls.
 */
const COST_PATHS = [
  { path: 'fresh success', label: 'fresh, small result', cpu: 'fresh' },
  { path: 'replay', label: 'replay', cpu: 'replay' },
  { path: 'in-flight duplicate', label: 'in-flight duplicate', cpu: 'replay', borrowed: true },
  { path: 'handler error', label: 'handler error', cpu: 'fresh', borrowed: true },
  { path: 'payment with its own write', label: 'payment with its own write', cpu: 'fresh', borrowed: true },
  { path: 'fresh, 100 KB result', label: 'fresh, 100 KB result', cpu: 'fresh', responseBytes: 100 * KB },
  {
    path: 'replay of a 100 KB result',
    label: 'replay of a 100 KB result',
    cpu: 'replay',
    responseBytes: 100 * KB,
  },
] as const

type Metered = (input: object) => MeteredCall | undefined

function meteredCalls(row: CallRow, side: Side, metered: Metered): MeteredCall[] {
  return row.recorded[side].map((call) => {
    const found = metered(call.input)
    if (found === undefined) throw new Error(`${row.path}: ${call.command} by ${side} was not metered`)
    return found
  })
}

/** Units from the calls each path made, CPU from the timed case it maps to, priced per million requests. */
export function costRows(calls: readonly CallRow[], metered: Metered, cpu: readonly CpuRow[]): CostRow[] {
  return COST_PATHS.map((spec) => {
    const row = calls.find((candidate) => candidate.path === spec.path)
    if (row === undefined) throw new Error(`No store calls counted for ${spec.path}`)
    const responseBytes = 'responseBytes' in spec ? spec.responseBytes : undefined
    const timed = cpu.find(
      ({ case: c }) => c.path === spec.cpu && c.eventBytes === 1 * KB && c.responseBytes === responseBytes,
    )
    if (timed === undefined) throw new Error(`No CPU case for ${spec.path}`)
    const units = {
      ours: unitsOf(meteredCalls(row, 'ours', metered)),
      theirs: unitsOf(meteredCalls(row, 'theirs', metered)),
    }
    const cpuMicros = {
      ours: timed.wrappedMicros.ours - timed.bareMicros,
      theirs: timed.wrappedMicros.theirs - timed.bareMicros,
    }
    return {
      label: spec.label,
      cpuBorrowed: 'borrowed' in spec,
      units,
      cpuMicros,
      cost: {
        ours: costPerMillion(cpuMicros.ours, units.ours),
        theirs: costPerMillion(cpuMicros.theirs, units.theirs),
      },
    }
  })
}

const usd = (value: number, digits: number) => `$${value.toFixed(digits)}`
const pair = (ours: string, theirs: string) => `${ours} / ${theirs}`
const units = (value: number) => (Number.isInteger(value) ? integer(value) : fixed(value))

const HEADER = ['path', 'WRU', 'RRU', 'CPU µs', 'Lambda $', 'DynamoDB $', 'total $', 'ours ÷ theirs']
const width = (text: string) => [...text].length

/** Laid out as Biome formats Markdown tables (padded, numbers right-aligned), so docs/performance.md stays formatted. */
function renderTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(3, width(title), ...body.map((cells) => width(cells[column] ?? ''))),
  )
  const right = (column: number) => column > 0
  const line = (cells: readonly string[]) =>
    `| ${cells
      .map((cell, column) => {
        const fill = ' '.repeat((widths[column] ?? 0) - width(cell))
        return right(column) ? fill + cell : cell + fill
      })
      .join(' | ')} |`
  const rule = `| ${widths.map((w, column) => (right(column) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`
  return [line(header), rule, ...body.map(line)].join('\n')
}

function tableRow(row: CostRow): string[] {
  const { units: u, cost, cpuMicros } = row
  const mark = row.cpuBorrowed ? ' †' : ''
  return [
    row.label,
    pair(units(u.ours.wru), units(u.theirs.wru)),
    pair(units(u.ours.rru), units(u.theirs.rru)),
    pair(fixed(cpuMicros.ours), fixed(cpuMicros.theirs)) + mark,
    pair(usd(cost.ours.lambdaUsd, 4), usd(cost.theirs.lambdaUsd, 4)),
    pair(usd(cost.ours.dynamodbUsd, 3), usd(cost.theirs.dynamodbUsd, 3)),
    pair(usd(cost.ours.totalUsd, 3), usd(cost.theirs.totalUsd, 3)),
    (cost.ours.totalUsd / cost.theirs.totalUsd).toFixed(2),
  ]
}

/** Why the compressed large result pays: its extra CPU against the write units it saves, in dollars. */
function largeResultNote(rows: readonly CostRow[], items: readonly ItemSizeRow[]): string {
  const fresh = rows.find((row) => row.label === 'fresh, 100 KB result')
  const replay = rows.find((row) => row.label === 'replay of a 100 KB result')
  const item = items.find((row) => row.responseBytes >= 50 * KB)
  if (fresh === undefined || replay === undefined || item === undefined) return ''
  const extraCpu = fresh.cpuMicros.ours - fresh.cpuMicros.theirs
  const extraLambda = fresh.cost.ours.lambdaUsd - fresh.cost.theirs.lambdaUsd
  const savedWru = fresh.units.theirs.wru - fresh.units.ours.wru
  const savedDynamodb = fresh.cost.theirs.dynamodbUsd - fresh.cost.ours.dynamodbUsd
  const net = fresh.cost.theirs.totalUsd - fresh.cost.ours.totalUsd
  const replaySaved = replay.cost.theirs.totalUsd - replay.cost.ours.totalUsd
  return `- **The compressed 100 KB result pays for its CPU.** Completing it, ours spends ${integer(extraCpu)} µs more CPU than Powertools (brotli, against marshalling a map), ${usd(extraLambda, 4)} more Lambda per million requests; the record it writes is ${integer(item.itemBytes.ours)} bytes instead of ${integer(item.itemBytes.theirs)}, ${integer(savedWru)} fewer WRUs, ${usd(savedDynamodb, 2)} less DynamoDB. Net, ${usd(net, 2)} saved per million completions, and ${usd(replaySaved, 2)} per million replays, which pay write units for the stored record (${integer(replay.units.ours.wru)} WRUs against ${integer(replay.units.theirs.wru)}).`
}

/** Where ours pays more for a guarantee: the payment joined to its completion in one transaction. */
function paymentNote(rows: readonly CostRow[]): string {
  const payment = rows.find((row) => row.label === 'payment with its own write')
  if (payment === undefined || payment.units.ours.wru <= payment.units.theirs.wru) return ''
  const extra = payment.units.ours.wru - payment.units.theirs.wru
  return `- The payment costs ours ${extra} more WRUs (${usd(payment.cost.ours.dynamodbUsd - payment.cost.theirs.dynamodbUsd, 3)} per million): its completion and the payment item go in one transaction, which DynamoDB bills twice, so a crash can never leave a charge without its record or the reverse (docs/cost.md, "Atomic completion is a trade"). Written the Powertools way, the three separate writes cost less, make one more round trip, and are not atomic.`
}

/** Where ours stores more: a result just under the compression threshold crosses the 1 KB unit boundary. */
function smallResultNote(items: readonly ItemSizeRow[]): string {
  const row = items.find((item) => item.responseBytes < 4 * KB)
  if (row === undefined) return ''
  const wru = (bytes: number) => writeUnits({ beforeBytes: 0, afterBytes: bytes, sentBytes: 0 }, false)
  const ours = wru(row.itemBytes.ours)
  const theirs = wru(row.itemBytes.theirs)
  if (ours === theirs) return ''
  const difference = (ours - theirs) * PRICES.dynamodbUsdPerMillionWru
  return `- A ${integer(row.responseBytes)}-byte result (not in the table) makes ours a ${integer(row.itemBytes.ours)}-byte record, ${ours} WRUs per completion and per replay, against Powertools' ${integer(row.itemBytes.theirs)} bytes, ${theirs}: ours costs ${usd(Math.abs(difference), 3)} per million ${difference > 0 ? 'more' : 'less'} there. Ours keeps the JSON as sent plus a fencing token and a fingerprint, and compresses only above 4 KB.`
}

export function renderCost(rows: readonly CostRow[], items: readonly ItemSizeRow[]): string {
  const { memoryMb } = DEFAULT_COST_OPTIONS
  const title = `**Cost per million requests, ${PRICES.region} list prices (checked ${PRICES.checkedOn}): DynamoDB on-demand request units of each path's calls, plus the Lambda duration (x86, ${integer(memoryMb)} MB) its CPU overhead adds; ours / Powertools 2.35.0**`
  const notes = [
    `- Prices: DynamoDB on-demand, Standard table class, $${PRICES.dynamodbUsdPerMillionWru} per million write request units (WRU) and $${PRICES.dynamodbUsdPerMillionRru} per million read request units (RRU), half the rates before AWS's cut of 1 November 2024; Lambda $${PRICES.lambdaX86UsdPerGbSecond} per GB-second on x86 ($${PRICES.lambdaArm64UsdPerGbSecond} on arm64, not used: the CPU was timed on an x86 core). The Lambda request charge is the same with either library and left out.`,
    "- Units: every item a path's calls touched, read from DynamoDB Local just before and after each call and sized by DynamoDB's rules: 1 WRU per KB of the larger image, rounded up per item, refused conditional writes included (a replay is a refused PutItem, so it pays for the stored record); transactional writes twice; strongly consistent reads 1 RRU per 4 KB. Neither library reads on these paths: a refused write returns the record.",
    `- Lambda bills duration, not CPU: at ${integer(memoryMb)} MB a function has ${integer(memoryMb)}/${integer(FULL_VCPU_MEMORY_MB)} of a vCPU, so a CPU µs bills ${fixed(FULL_VCPU_MEMORY_MB / memoryMb, 2)} µs (and a GB-second buys the same work at any size up to ${integer(FULL_VCPU_MEMORY_MB)} MB). Waiting on DynamoDB bills too, ${usd(usdPerMillionPerDurationMs(), 4)} per million requests per ms of round trip: Powertools' extra call on the in-flight duplicate and the payment adds that per ms of its latency.`,
    '- † Not timed on its own: the CPU of the replay (one refused acquire) for the in-flight duplicate, of the fresh path for the handler error and the payment. A replay from the warm local cache makes no call and costs nothing in DynamoDB.',
    largeResultNote(rows, items),
    paymentNote(rows),
    smallResultNote(items),
  ].filter((note) => note !== '')
  return [title, '', renderTable(HEADER, rows.map(tableRow)), '', ...notes].join('\n')
}

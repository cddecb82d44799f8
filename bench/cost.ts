/**
 * What a request costs at AWS list prices: the Lambda duration the wrapper's own CPU adds, plus the DynamoDB
 * request units its calls consume. Pure functions over measured inputs (item images sized by bench/capacity.ts,
 * CPU from bench/cpu.ts), so the rules below are unit-tested with known numbers.
 */

/**
 * us-east-1 list prices, checked on 2026-12-01 against aws.amazon.com/lambda/pricing and
 * aws.amazon.com/dynamodb/pricing/on-demand (through stored copies of those pages and of guides quoting them).
 */
export const PRICES = {
  checkedOn: '2026-12-01',
  region: 'us-east-1',
  /** Lambda duration, x86_64, first pricing tier (up to 6 billion GB-seconds a month). */
  lambdaX86UsdPerGbSecond: 0.0000166667,
  /** Lambda duration, arm64 (Graviton), first tier (up to 7.5 billion GB-seconds a month): 20% less. */
  lambdaArm64UsdPerGbSecond: 0.0000133334,
  /**
   * DynamoDB on-demand, Standard table class, per million write request units. AWS halved on-demand
   * throughput prices on 2024-11-01; before that it was $1.25.
   */
  dynamodbUsdPerMillionWru: 0.625,
  /** Per million read request units, on-demand, Standard table class (was $0.25 before 2024-11-01). */
  dynamodbUsdPerMillionRru: 0.125,
} as const

export type Prices = typeof PRICES

/**
 * Memory of the function the overhead is priced in: a common size for an API handler. Below 1,769 MB the
 * price of CPU-bound work does not depend on it (see `lambdaGbSeconds`), so the choice barely matters.
 */
export const LAMBDA_MEMORY_MB = 1024
/** Lambda gives a function one vCPU's worth of CPU at 1,769 MB, and a proportional share below (AWS docs). */
export const FULL_VCPU_MEMORY_MB = 1769

const KB = 1024
/** A standard write request unit covers 1 KB of item; a strongly consistent read unit 4 KB. */
const WRITE_UNIT_BYTES = 1 * KB
const READ_UNIT_BYTES = 4 * KB

/** One item a write touched: sizes by DynamoDB's item-size rules, 0 where there was no item. */
export interface WriteImage {
  readonly beforeBytes: number
  readonly afterBytes: number
  /** The item sent whole (Put); 0 for Update, Delete and ConditionCheck, which send a key. */
  readonly sentBytes: number
}

export type ReadConsistency = 'strong' | 'eventual' | 'transactional'

export interface ReadImage {
  readonly bytes: number
  readonly consistency: ReadConsistency
}

/** One DynamoDB call as the meter saw it: every item it wrote or read, whether or not a condition held. */
export interface MeteredCall {
  readonly command: string
  /** TransactWriteItems and TransactGetItems: each item costs twice. */
  readonly transactional: boolean
  readonly writes: readonly WriteImage[]
  readonly reads: readonly ReadImage[]
}

export interface Units {
  readonly wru: number
  readonly rru: number
}

/**
 * Write units of one item: the larger of the item before and after, rounded up to whole KB, at least one. A
 * refused conditional write leaves the item as it was and still consumes units, sized by the larger of the
 * stored item and the one sent; a refused Update is sized by the stored item (what it would have become is
 * never known). Twice that inside a transaction.
 */
export function writeUnits(write: WriteImage, transactional: boolean): number {
  const bytes = Math.max(write.beforeBytes, write.afterBytes, write.sentBytes)
  const units = Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES))
  return transactional ? 2 * units : units
}

/** Read units of one item: 4 KB steps, at least one (a missing item too); half if eventual, twice if transactional. */
export function readUnits(read: ReadImage): number {
  const units = Math.max(1, Math.ceil(read.bytes / READ_UNIT_BYTES))
  if (read.consistency === 'eventual') return units / 2
  return read.consistency === 'transactional' ? 2 * units : units
}

/** Units of a request's calls; a batch's items are each rounded on their own, as DynamoDB does. */
export function unitsOf(calls: readonly MeteredCall[]): Units {
  let wru = 0
  let rru = 0
  for (const call of calls) {
    for (const write of call.writes) wru += writeUnits(write, call.transactional)
    for (const read of call.reads) {
      rru += call.transactional ? readUnits({ ...read, consistency: 'transactional' }) : readUnits(read)
    }
  }
  return { wru, rru }
}

/**
 * GB-seconds that `cpuMicros` of single-threaded CPU work adds to a function's billed duration. Lambda bills
 * duration, not CPU: below 1,769 MB the function gets that fraction of a vCPU, so the work takes
 * 1,769 / memory times as long; above, one thread runs no faster. Assumes the measuring machine's core does
 * as much per CPU-second as a Lambda vCPU.
 */
export function lambdaGbSeconds(cpuMicros: number, memoryMb: number): number {
  const durationSeconds = (cpuMicros / 1_000_000) * Math.max(1, FULL_VCPU_MEMORY_MB / memoryMb)
  return durationSeconds * (memoryMb / 1024)
}

export interface Cost {
  readonly lambdaUsd: number
  readonly dynamodbUsd: number
  readonly totalUsd: number
}

export interface CostOptions {
  readonly prices: Prices
  readonly memoryMb: number
  readonly usdPerGbSecond: number
}

export const DEFAULT_COST_OPTIONS: CostOptions = {
  prices: PRICES,
  memoryMb: LAMBDA_MEMORY_MB,
  // The bench measures CPU on an x86 core; arm64's cheaper GB-second buys a different amount of work.
  usdPerGbSecond: PRICES.lambdaX86UsdPerGbSecond,
}

/** US dollars per million requests of one path: its CPU overhead in Lambda duration, and its request units. */
export function costPerMillion(cpuMicros: number, units: Units, options = DEFAULT_COST_OPTIONS): Cost {
  const lambdaUsd = lambdaGbSeconds(cpuMicros, options.memoryMb) * options.usdPerGbSecond * 1_000_000
  const dynamodbUsd =
    units.wru * options.prices.dynamodbUsdPerMillionWru + units.rru * options.prices.dynamodbUsdPerMillionRru
  return { lambdaUsd, dynamodbUsd, totalUsd: lambdaUsd + dynamodbUsd }
}

/** Dollars per million requests for each millisecond of billed duration, e.g. a DynamoDB round trip. */
export function usdPerMillionPerDurationMs(options = DEFAULT_COST_OPTIONS): number {
  return (options.memoryMb / 1024) * 0.001 * options.usdPerGbSecond * 1_000_000
}

import { toEpochSeconds } from '../record.js'
import { namespaceOfRecordKey } from '../record-key.js'
import { count, flag } from './args.js'
import type { ScannedItem } from './backend.js'
import { UsageError } from './errors.js'
import type { CommandContext } from './lookup.js'
import { createProgress } from './progress.js'

/** A default sample of one 1,000-item read: cheap enough to run any time, large enough to show proportions. */
export const DEFAULT_SAMPLE_ITEMS = 1_000

const STATES = ['completed', 'inProgressLeaseLive', 'inProgressLeaseEnded', 'expired'] as const
type State = (typeof STATES)[number]
const STATE_LABELS: Record<State, string> = {
  completed: 'COMPLETED',
  inProgressLeaseLive: 'IN_PROGRESS, lease live',
  inProgressLeaseEnded: 'IN_PROGRESS, lease ended',
  expired: 'expired',
}

/** Age buckets by upper bound in milliseconds; `older` takes the rest. */
const BUCKETS = [
  ['under1Minute', '<1 min', 60_000],
  ['under1Hour', '<1 h', 3_600_000],
  ['under1Day', '<1 d', 86_400_000],
  ['under7Days', '<7 d', 7 * 86_400_000],
  ['older', 'older', Number.POSITIVE_INFINITY],
] as const
type Bucket = (typeof BUCKETS)[number][0]

/** Counts records by state, by age within each state, and by namespace; entity versions and watermarks apart. */
export async function stats(context: CommandContext): Promise<void> {
  const { io, backend, flags } = context
  const full = flag(flags, 'full')
  const sample = count(flags, 'sample')
  const segments = count(flags, 'segments')
  const pageSize = count(flags, 'page-size')
  if (full && sample !== undefined) throw new UsageError('Give --sample or --full, not both.')
  if (segments !== undefined && !full) throw new UsageError('--segments needs --full.')
  if (segments !== undefined && !backend.parallelScan)
    throw new UsageError(
      `--segments is DynamoDB's parallel scan; ${backend.description} is read in one query at a time.`,
    )
  const maxItems = full ? undefined : (sample ?? DEFAULT_SAMPLE_ITEMS)

  const approximate = await backend.approximateItemCount()
  const expected = maxItems === undefined ? approximate : Math.min(maxItems, approximate ?? maxItems)
  const progress = createProgress(io, expected)
  const nowEpochMs = io.now()
  const tally = createTally()
  await backend.scan({ maxItems, segments, pageSize }, (items) => {
    for (const item of items) tally.add(item, nowEpochMs)
    progress.update(tally.result.scannedItems)
  })
  progress.done()

  const result = { table: backend.description, mode: full ? 'full' : 'sample', ...tally.result }
  if (flag(flags, 'json')) io.out(JSON.stringify(result, null, 2))
  else for (const line of render(result, backend.sampleOrder)) io.out(line)
}

function createTally() {
  const result = {
    scannedItems: 0,
    otherItems: 0,
    states: Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number>,
    ages: {} as Partial<Record<State, Record<Bucket, number>>>,
    namespaces: {} as Record<string, Partial<Record<State, number>>>,
  }
  function add(item: ScannedItem, nowEpochMs: number): void {
    result.scannedItems++
    if (item.kind === 'other') {
      result.otherItems++
      return
    }
    const { state, sinceEpochMs } = classify(item, nowEpochMs)
    result.states[state]++
    if (sinceEpochMs !== undefined) {
      const ages = result.ages[state] ?? emptyBuckets()
      result.ages[state] = ages
      ages[bucketOf(nowEpochMs - sinceEpochMs)]++
    }
    const name = namespaceOfRecordKey(item.key) ?? '(unknown)'
    const namespace = result.namespaces[name] ?? {}
    result.namespaces[name] = namespace
    namespace[state] = (namespace[state] ?? 0) + 1
  }
  return { result, add }
}

const emptyBuckets = () =>
  Object.fromEntries(BUCKETS.map(([bucket]) => [bucket, 0])) as Record<Bucket, number>
const bucketOf = (ageMs: number): Bucket =>
  (BUCKETS.find(([, , upperMs]) => ageMs < upperMs) ?? BUCKETS[4])[0]

/** A record's state, and the moment its age counts from: completion, lease end or retention end. */
function classify(item: Extract<ScannedItem, { kind: 'record' }>, nowEpochMs: number) {
  if (item.expiresAtEpochSeconds <= toEpochSeconds(nowEpochMs))
    return { state: 'expired' as const, sinceEpochMs: item.expiresAtEpochSeconds * 1000 }
  if (item.status === 'COMPLETED')
    return { state: 'completed' as const, sinceEpochMs: item.completedAtEpochMs }
  const leaseUntil = item.leaseUntilEpochMs ?? 0
  if (leaseUntil > nowEpochMs) return { state: 'inProgressLeaseLive' as const, sinceEpochMs: undefined }
  return { state: 'inProgressLeaseEnded' as const, sinceEpochMs: leaseUntil }
}

type Result = ReturnType<typeof createTally>['result'] & { table: string; mode: string }

function render(result: Result, sampleOrder: string): string[] {
  const what = result.mode === 'full' ? 'full scan' : `sample (${sampleOrder})`
  const other = result.otherItems > 0 ? `, ${result.otherItems} of them entity versions or watermarks` : ''
  const lines = [`${result.table}: ${what}, ${result.scannedItems} items${other}`, '']
  const byState = STATES.map((state) => {
    const ages = result.ages[state]
    return [STATE_LABELS[state], result.states[state], ...BUCKETS.map(([b]) => (ages ? ages[b] : '-'))]
  })
  lines.push(...table(['state', 'records', ...BUCKETS.map(([, label]) => label)], byState))
  lines.push('', 'age: since completion, since the lease ended, or since retention ended (expired)', '')
  const byNamespace = Object.entries(result.namespaces)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([namespace, counts]) => [namespace, ...STATES.map((s) => counts[s] ?? 0)])
  const stateColumns = STATES.map((s) => STATE_LABELS[s].replace('IN_PROGRESS, ', ''))
  lines.push(...table(['namespace', ...stateColumns], byNamespace))
  return lines
}

/** Left-aligned first column, right-aligned counts, every column as wide as its widest cell. */
function table(header: string[], rows: (string | number)[][]): string[] {
  const all = [header, ...rows].map((row) => row.map(String))
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)))
  return all.map((row) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart((widths[i] ?? 0) + 2)))
      .join(''),
  )
}

/**
 * Issue 21's numbers: partition replace of 10,000 rows on PostgreSQL (`replacePartition` in a `PostgresJobStore`
 * job) and on DynamoDB (`dynamoDBPartitions` in a `DynamoDBJobStore` job), against appending the same rows. Each
 * backend runs four steps on one day: the first run, a re-run (replayed), a forced re-run (replaced), and an
 * append job run twice (the rows double). `npm run bench` prints it after the request numbers;
 * `npm run bench -- --pipelines` prints only it. The numbers are in docs/pipelines.md ("Numbers").
 */

/** The issue's size: enough for the batch paths to dominate, small enough for DynamoDB Local in seconds. */
export const PIPELINE_ROWS = 10_000
/**
 * How many times each backend's four steps run, each time on a fresh data set; times are the median, counts are
 * the same every time (checked). DynamoDB Local takes ~15 s a time, so three keep it under a minute;
 * PostgreSQL takes well under a second, so nine give a steadier median for its tens of milliseconds.
 */
export const PIPELINE_REPETITIONS = { dynamodb: 3, postgres: 9 } as const
/** The day every step replaces: a date, as the sample's job partitions by. */
export const BENCH_DAY = '2024-01-15'

export type StepName = 'first run' | 're-run' | 'forced re-run' | 'append, run again'

/** One step: what it cost, and what the day holds after it. */
export interface StepResult {
  readonly step: StepName
  /** How the job answered: `ran`, `replayed`, or `append` for the naive job. */
  readonly outcome: string
  /** Wall-clock duration of the step, milliseconds, the median over the repetitions. */
  readonly ms: number
  /** Requests sent: DynamoDB API calls, or SQL statements (each one round trip). */
  readonly calls: number
  /** The calls by name, `BatchWriteItem` or `INSERT`, in the order first sent. */
  readonly callsByName: Readonly<Record<string, number>>
  /** The backend's own units, named by `BackendResult.unitNames`, in that order. */
  readonly units: readonly number[]
  /** Rows a reader of the day sees after the step. */
  readonly rowsAfter: number
}

export interface BackendResult {
  readonly backend: string
  /** Which server was measured. */
  readonly where: string
  /** The column titles of `StepResult.units`. */
  readonly unitNames: readonly string[]
  /** How the units were obtained, for the notes under the table. */
  readonly unitNotes: readonly string[]
  readonly steps: readonly StepResult[]
}

/** Rows of one day, small as report rows are (well under 1 KB each: one DynamoDB write unit apiece). */
export function benchRows(count = PIPELINE_ROWS) {
  const currencies = ['EUR', 'GBP', 'JPY', 'USD']
  return Array.from({ length: count }, (_, index) => ({
    rowId: `row-${String(index).padStart(5, '0')}`,
    currency: currencies[index % currencies.length] as string,
    payments: (index % 97) + 1,
    amountCents: index * 31,
  }))
}

/** Counts calls by name, keeping the order of first use. */
export function tally(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1
  return counts
}

/** Runs `measure` `times` times and keeps the first's counts and the median of the times. */
export async function repeated(
  times: number,
  measure: (repetition: number) => Promise<readonly StepResult[]>,
): Promise<StepResult[]> {
  const runs: (readonly StepResult[])[] = []
  for (let repetition = 0; repetition < times; repetition++) runs.push(await measure(repetition))
  const first = runs[0] ?? []
  return first.map((step, index) => {
    const times = runs.map((run) => run[index]?.ms ?? Number.NaN).sort((a, b) => a - b)
    const differing = runs.find((run) => run[index]?.calls !== step.calls)
    if (differing) throw new Error(`${step.step}: the call count changed between repetitions`)
    return { ...step, ms: times[Math.floor(times.length / 2)] ?? Number.NaN }
  })
}

const integer = (value: number) => Math.round(value).toLocaleString('en-US')
const ratio = (ours: number, theirs: number) => (theirs === 0 ? '—' : `${(ours / theirs).toFixed(2)}×`)

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(3, [...title].length, ...rows.map((row) => [...(row[column] ?? '')].length)),
  )
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`
  const rule = `| ${widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

const callsText = (step: StepResult) =>
  `${integer(step.calls)} (${Object.entries(step.callsByName)
    .map(([name, count]) => `${integer(count)} ${name}`)
    .join(', ')})`

/** One backend's table, its cost ratio of a forced re-run to an append, and its notes. */
export function renderBackend(result: BackendResult): string {
  const rows = result.steps.map((step) => [
    `${step.step} (${step.outcome})`,
    integer(step.ms),
    callsText(step),
    ...step.units.map(integer),
    integer(step.rowsAfter),
  ])
  const forced = result.steps.find((step) => step.step === 'forced re-run')
  const append = result.steps.find((step) => step.step === 'append, run again')
  if (forced && append)
    rows.push([
      'forced re-run ÷ append',
      ratio(forced.ms, append.ms),
      ratio(forced.calls, append.calls),
      ...forced.units.map((units, index) => ratio(units, append.units[index] ?? 0)),
      '',
    ])
  const header = ['step', 'time (ms)', 'calls', ...result.unitNames, 'rows a reader sees after']
  return [
    `**${result.backend}: ${integer(PIPELINE_ROWS)} rows of one day, replaced or appended (${result.where})**`,
    '',
    markdownTable(header, rows),
    '',
    ...result.unitNotes.map((note) => `- ${note}`),
  ].join('\n')
}

export function renderPipelines(results: readonly BackendResult[]): string {
  return [
    '## Pipelines: partition replace against append',
    '',
    `Each backend's steps ran on fresh data sets, ${PIPELINE_REPETITIONS.dynamodb} times on DynamoDB and ${PIPELINE_REPETITIONS.postgres} on PostgreSQL: times are medians, counts were the same every time. "append, run again" is a naive job's second run of the day, the one a retry or a backfill adds (its first run wrote the day once): the rows double.`,
    '',
    ...results.map(renderBackend).join('\n\n').split('\n'),
  ].join('\n')
}

import { execFileSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { measureBundles } from './bundle.js'
import { countStoreCalls } from './calls.js'
import { capacityMeter } from './capacity.js'
import { costRows } from './cost-report.js'
import { measureCpu } from './cpu.js'
import { benchDynamoDB, createBenchTables } from './dynamodb.js'
import { measureItemSizes } from './item-size.js'
import { benchPostgres, measurePostgres } from './postgres.js'
import { renderReport } from './report.js'
import { measureThroughput } from './throughput.js'

/**
 * `npm run bench`: this toolkit against @aws-lambda-powertools/idempotency on the same work, in one run. Progress
 * goes to stderr; the Markdown tables (docs/performance.md and its PostgreSQL section) go to stdout.
 */

const KB = 1024
/** Both bundles are imported this many times each, alternately; the issue asks for a median of at least 10. */
const IMPORT_RUNS = 11
/** Ten rounds give the minimum ten chances to catch a quiet moment; six cases of four variants take ~30 s. */
const CPU_OPTIONS = { sliceMs: 100, rounds: 10 }
/** Short slices in many rounds: each slice still holds tens of requests, and the pairing sees little drift. */
const THROUGHPUT_OPTIONS = { concurrencies: [1, 16], sliceMs: 500, rounds: 9, warmUpMs: 4_000 }

// Lambda's nodejs22.x has nothing to warn about; on Node 20 the SDK's notice would only clutter the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const startedMs = performance.now()
const progress = (message: string) =>
  process.stderr.write(`bench: ${Math.round((performance.now() - startedMs) / 1000)} s: ${message}\n`)

/** The commit measured, and whether the library's files differ from it in the working tree. */
function revision(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib'], { encoding: 'utf8' }).trim()
    return dirty === '' ? `commit ${commit}` : `commit ${commit} with uncommitted changes in lib/`
  } catch {
    return 'outside git'
  }
}

function machine(startLoad: number[], measured: string): string {
  const cpu = cpus()
  const load = startLoad.map((value) => value.toFixed(2)).join(' / ')
  const where = process.env.DYNAMODB_ENDPOINT ? 'DYNAMODB_ENDPOINT' : 'embedded DynamoDB Local, in memory'
  return `Machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${where}; load average at start ${load} (1/5/15 min); ${measured}, ${new Date().toISOString().slice(0, 10)}.`
}

async function main(): Promise<void> {
  const startLoad = loadavg()
  // Read now, next to when the process loaded the library, not minutes later when lib/ may have moved on.
  const measured = revision()
  progress('bundling and timing cold imports')
  const bundles = await measureBundles(IMPORT_RUNS)
  progress('starting DynamoDB Local')
  const db = await benchDynamoDB()
  try {
    const tables = await createBenchTables(db.config)
    progress('counting store calls and sizing what they write')
    const sizer = new DynamoDBClient(db.config)
    const meter = capacityMeter(sizer)
    const calls = await countStoreCalls(db.config, tables, meter.install).finally(() => sizer.destroy())
    progress('sizing stored items')
    const items = await measureItemSizes(db.config, tables, [1 * KB, 100 * KB])
    progress('timing CPU with a stubbed client')
    const cpu = await measureCpu(
      db.config,
      tables,
      [
        { path: 'fresh', eventBytes: 1 * KB },
        { path: 'replay', eventBytes: 1 * KB },
        { path: 'fresh', eventBytes: 100 * KB },
        { path: 'replay', eventBytes: 100 * KB },
        { path: 'fresh', eventBytes: 1 * KB, responseBytes: 100 * KB },
        { path: 'replay', eventBytes: 1 * KB, responseBytes: 100 * KB },
      ],
      CPU_OPTIONS,
    )
    progress('timing CPU with a client stub that behaves like the AWS SDK')
    const cpuSdk = await measureCpu(
      db.config,
      tables,
      [
        { path: 'fresh', eventBytes: 1 * KB },
        { path: 'replay', eventBytes: 1 * KB },
      ],
      { ...CPU_OPTIONS, client: 'sdk' },
    )
    progress('measuring throughput against DynamoDB Local')
    const throughput = await measureThroughput(db.config, tables, THROUGHPUT_OPTIONS)
    progress('counting PostgreSQL statements per request')
    const pg = await benchPostgres()
    const postgres = await measurePostgres(pg.url).finally(pg.stop)
    process.stdout.write(
      `${renderReport(
        {
          calls,
          cpu,
          cpuSdk,
          cpuRounds: CPU_OPTIONS.rounds,
          bundles,
          throughput,
          throughputRounds: THROUGHPUT_OPTIONS.rounds,
          items,
          cost: costRows(calls, meter.of, cpu),
          postgres: { rows: postgres, where: pg.where },
        },
        machine(startLoad, measured),
      )}\n`,
    )
    progress('done')
  } finally {
    await db.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})

import { execFileSync } from 'node:child_process'
import { cpus, loadavg } from 'node:os'
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb'
import { measureBundles } from './bundle.js'
import { countStoreCalls } from './calls.js'
import { capacityMeter } from './capacity.js'
import { costRows } from './cost-report.js'
import { measureCpu } from './cpu.js'
import { benchDynamoDB, createBenchTables } from './dynamodb.js'
import { measureItemSizes } from './item-size.js'
import { type BackendResult, renderPipelines } from './pipelines.js'
import { measureDynamoDBPipelines } from './pipelines-dynamodb.js'
import { measurePostgresPipelines } from './pipelines-postgres.js'
import { benchPostgres, measurePostgres } from './postgres.js'
import { renderReport } from './report.js'
import { measureThroughput } from './throughput.js'

/**
 * `npm run bench`: this toolkit against @aws-lambda-powertools/idempotency on the same work, in one run, then
 * partition replace against append for pipeline jobs (bench/pipelines.ts). Progress goes to stderr; the Markdown
 * tables (docs/performance.md and its PostgreSQL section, docs/pipelines.md's "Numbers") go to stdout.
 * `npm run bench -- --pipelines` runs only the pipelines part (about a minute).
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

const dynamoDBWhere = () =>
  process.env.DYNAMODB_ENDPOINT ? 'DYNAMODB_ENDPOINT' : 'embedded DynamoDB Local, in memory'

function machine(startLoad: number[], measured: string): string {
  const cpu = cpus()
  const load = startLoad.map((value) => value.toFixed(2)).join(' / ')
  const where = dynamoDBWhere()
  return `Machine: ${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), Node ${process.version}, ${where}; load average at start ${load} (1/5/15 min); ${measured}, ${new Date().toISOString().slice(0, 10)}.`
}

/** Partition replace of 10,000 rows and its append baseline: ~15 s per DynamoDB repetition, ~1 s on PostgreSQL. */
async function measurePipelines(
  dynamoDBConfig: DynamoDBClientConfig,
  postgres: { url: string; where: string },
): Promise<BackendResult[]> {
  progress('partition replace of 10,000 rows on PostgreSQL')
  const onPostgres = await measurePostgresPipelines(postgres.url, postgres.where)
  progress('partition replace of 10,000 rows on DynamoDB Local')
  return [onPostgres, await measureDynamoDBPipelines(dynamoDBConfig, dynamoDBWhere())]
}

/** `--pipelines`: only the pipelines tables, with their own servers. */
async function pipelinesOnly(startLoad: number[], measured: string): Promise<void> {
  progress('starting DynamoDB Local and PostgreSQL')
  const [db, pg] = await Promise.all([benchDynamoDB(), benchPostgres()])
  try {
    const results = await measurePipelines(db.config, pg)
    process.stdout.write(`${renderPipelines(results)}\n\n${machine(startLoad, measured)}\n`)
    progress('done')
  } finally {
    await Promise.all([db.stop(), pg.stop()])
  }
}

async function main(): Promise<void> {
  const startLoad = loadavg()
  // Read now, next to when the process loaded the library, not minutes later when lib/ may have moved on.
  const measured = revision()
  if (process.argv.includes('--pipelines')) return pipelinesOnly(startLoad, measured)
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
    const [postgres, pipelines] = await (async () => {
      try {
        return [await measurePostgres(pg.url), await measurePipelines(db.config, pg)] as const
      } finally {
        await pg.stop()
      }
    })()
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
      )}\n\n${renderPipelines(pipelines)}\n`,
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

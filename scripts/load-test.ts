import { randomUUID } from 'node:crypto'
import { parseArgs } from 'node:util'
import { type Outcome, sendPayment } from './load/client.js'
import { type LoadShape, type PlannedRequest, planLoad } from './load/plan.js'
import { buildReport, failures, formatReport, type LoadReport } from './load/report.js'
import { localApiClient } from './local-api/client.js'
import { type LocalApi, startLocalApi } from './local-api.js'
import { isMainModule } from './supervise.js'

export interface LoadOptions extends LoadShape {
  /** An API already running; otherwise one is started on an in-memory DynamoDB Local and stopped after. */
  readonly url?: string
  readonly concurrency: number
  /** Gateway latency of the API this starts. @default 50, the local API's own default */
  readonly gatewayLatencyMs?: number
}

/** 5,000 payments over 500 keys at 64-way concurrency: duplicates meet in flight, and 1 in 10 first tries aborts. */
export const DEFAULT_LOAD: LoadOptions = {
  requests: 5_000,
  keys: 500,
  concurrency: 64,
  abortRate: 0.1,
  // Up to 60 ms: from before the claim to after the charge at the default 50 ms gateway latency.
  maxAbortAfterMs: 60,
  seed: 1,
}

/** Runs the load against the local API and checks the ledger: one charge per key, whatever the retries. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const started: LocalApi | undefined =
    options.url === undefined
      ? await startLocalApi({
          port: 0,
          inMemory: true,
          gatewayLatencyMs: options.gatewayLatencyMs,
          log: () => {},
        })
      : undefined
  const url = options.url ?? (started as LocalApi).url
  try {
    const api = localApiClient(url)
    const before = new Set((await api.charges()).map((charge) => charge.chargeId))
    const { keys, requests } = planLoad(options, randomUUID().slice(0, 8))
    const outcomes: Outcome[] = []
    let next = 0
    const startedMs = performance.now()
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < requests.length)
          outcomes.push(await sendPayment(url, requests[next++] as PlannedRequest))
      }),
    )
    const seconds = (performance.now() - startedMs) / 1000
    const amounts = new Set(keys.map((key) => key.amount))
    const newCharges = (await api.charges()).filter((c) => !before.has(c.chargeId) && amounts.has(c.amount))
    return buildReport(keys, outcomes, newCharges, seconds)
  } finally {
    await started?.stop()
  }
}

async function main(): Promise<void> {
  // The locked AWS SDK runs on Node 20; its notice about 2027 releases is noise in a report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      requests: { type: 'string' },
      keys: { type: 'string' },
      concurrency: { type: 'string' },
      'abort-rate': { type: 'string' },
      seed: { type: 'string' },
    },
  })
  const number = (value: string | undefined, fallback: number) =>
    value === undefined ? fallback : Number(value)
  const options: LoadOptions = {
    ...DEFAULT_LOAD,
    url: values.url ?? process.env.API_URL,
    requests: number(values.requests, DEFAULT_LOAD.requests),
    keys: number(values.keys, DEFAULT_LOAD.keys),
    concurrency: number(values.concurrency, DEFAULT_LOAD.concurrency),
    abortRate: number(values['abort-rate'], DEFAULT_LOAD.abortRate),
    seed: number(values.seed, Date.now() % 1_000_000),
  }
  const where = options.url ?? 'a local API on an in-memory DynamoDB Local'
  console.log(
    `Load: ${options.requests} POST /payments over ${options.keys} keys, ${options.concurrency}-way, against ${where} (seed ${options.seed})`,
  )
  const report = await runLoad(options)
  console.log(formatReport(report))
  const failed = failures(report)
  if (failed.length > 0) {
    console.error(`FAILED: ${failed.join(', ')}`)
    process.exit(1)
  }
  console.log('OK: no double charge, no 5xx.')
}

if (isMainModule(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error.stack ?? error.message)
    process.exit(1)
  })
}

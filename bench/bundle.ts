import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { SIDES, type Side } from './contenders.js'
import { median } from './stats.js'

const run = promisify(execFile)
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
/** Under node_modules so the bundles' external imports (the AWS SDK) resolve as they would in Lambda. */
const OUT_DIR = join(ROOT, 'node_modules', '.cache', 'lambda-idempotency-bench')

type Entry = Side | 'bare'

export interface ImportTime {
  readonly wallMs: number
  /** CPU time: what the import itself costs, however busy the machine is with other work. */
  readonly cpuMs: number
}

export interface BundleResult {
  readonly rawBytes: number
  readonly gzipBytes: number
  /** Medians of importing the bundle in a fresh process, the AWS SDK modules it imports included. */
  readonly coldImport: ImportTime
  /** The same with those SDK modules already loaded: the bundle's own code, and constructing its client. */
  readonly sdkPreloadedImport: ImportTime
}

interface Built {
  readonly file: string
  readonly code: Uint8Array
  readonly externals: string[]
}

/** esbuild as for a nodejs22.x Lambda: minified ESM, the AWS SDK (which the runtime provides) left external. */
async function bundle(entry: Entry): Promise<Built> {
  const result = await build({
    entryPoints: [join(ROOT, 'bench', 'entries', `${entry}.ts`)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['@aws-sdk/*', '@smithy/*'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const [output] = result.outputFiles
  if (output === undefined) throw new Error(`esbuild produced nothing for ${entry}`)
  const file = join(OUT_DIR, `${entry}.mjs`)
  writeFileSync(file, output.contents)
  const externals = Object.values(result.metafile.outputs).flatMap((out) =>
    out.imports.filter((imp) => imp.external && !imp.path.startsWith('node:')).map((imp) => imp.path),
  )
  return { file, code: output.contents, externals }
}

/** Imports `preload` (untimed), then times importing the bundle, in a new node process without tsx. */
const IMPORT_TIMER = `
const [file, preload] = process.argv.slice(1)
for (const name of preload ? preload.split(',') : []) await import(name)
const startCpu = process.cpuUsage()
const startMs = performance.now()
await import(file)
const wallMs = performance.now() - startMs
const cpu = process.cpuUsage(startCpu)
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 }))
`

async function importTime(file: string, preload: readonly string[]): Promise<ImportTime> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_TIMER, file, preload.join(',')],
    { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
  )
  return JSON.parse(stdout) as ImportTime
}

const medianTime = (samples: readonly ImportTime[]): ImportTime => ({
  wallMs: median(samples.map((sample) => sample.wallMs)),
  cpuMs: median(samples.map((sample) => sample.cpuMs)),
})

export interface BundleReport {
  readonly sides: Record<Side, BundleResult>
  /** The bare Middy handler, for what Middy itself weighs in both bundles. */
  readonly bare: { readonly rawBytes: number; readonly gzipBytes: number }
  readonly importRuns: number
}

export async function measureBundles(importRuns: number): Promise<BundleReport> {
  mkdirSync(OUT_DIR, { recursive: true })
  const built = {
    bare: await bundle('bare'),
    ours: await bundle('ours'),
    theirs: await bundle('theirs'),
  }
  const preload = [...new Set([...built.ours.externals, ...built.theirs.externals])]
  const samples: Record<Side, { cold: ImportTime[]; warm: ImportTime[] }> = {
    ours: { cold: [], warm: [] },
    theirs: { cold: [], warm: [] },
  }
  // Alternating the two bundles spreads the machine's drift evenly over both.
  for (let i = 0; i < importRuns; i++) {
    for (const side of SIDES) {
      samples[side].cold.push(await importTime(built[side].file, []))
      samples[side].warm.push(await importTime(built[side].file, preload))
    }
  }
  const result = (side: Side): BundleResult => ({
    rawBytes: built[side].code.byteLength,
    gzipBytes: gzipSync(built[side].code).byteLength,
    coldImport: medianTime(samples[side].cold),
    sdkPreloadedImport: medianTime(samples[side].warm),
  })
  return {
    sides: { ours: result('ours'), theirs: result('theirs') },
    bare: { rawBytes: built.bare.code.byteLength, gzipBytes: gzipSync(built.bare.code).byteLength },
    importRuns,
  }
}

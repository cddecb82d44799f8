import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { adopterSmoke } from './adopter.js'
import { checkInstallSets } from './check-install-sets.js'

/**
 * `npm run check:package`: what a user gets from `npm install lambda-idempotency`, checked from the outside.
 * Builds and packs the tarball, lints it (publint, attw), installs it into a scratch project in a temp dir,
 * type-checks usage under NodeNext and Bundler resolution, runs it as ESM, as CommonJS, and both at once, and
 * runs the `lambda-idempotency` bin (its usage, and `local` started and stopped). Then every install set of
 * docs/packaging.md (install-sets.ts) type-checks strict, without skipLibCheck, with only its own packages, and
 * every command of docs/use-in-your-project.md runs in a project of its own (adopter.ts), on this same tarball.
 *
 * Offline by design: the package has no dependencies of its own, so `npm install --offline` of the tarball
 * needs no registry; its peers (Middy, the AWS SDK, aws-cdk-lib) and type packages are linked from this
 * repository's node_modules, as a Lambda project would have them installed.
 */
const root = join(import.meta.dirname, '../..')
const fixtures = join(import.meta.dirname, 'consumer')
const bin = (name: string) => join(root, 'node_modules/.bin', name)
/** What a consumer of the package brings itself: the peers it uses, and the types it compiles against. */
const LINKED = [
  '@middy/core',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-lambda',
  '@aws/durable-execution-sdk-js',
  '@aws/durable-execution-sdk-js-testing',
  'aws-cdk-lib',
  'constructs',
  '@types/aws-lambda',
  '@types/node',
  // For `lambda-idempotency local`: DynamoDB Local's jar, resolved from the project it runs in.
  'amplify-dynamodb-simulator',
]
/** Everything a user needs and nothing else: both builds, their declarations, the SQL schema, manifest, README. */
const SHIPPED =
  /^(package\.json|README\.md|LICENSE|dist\/cjs\/package\.json|dist\/(esm|cjs)\/[\w/-]+\.(js|d\.ts)|sql\/postgres\/[\w/-]+\.sql)$/
/** The entry point of every subpath package.json exports, so a new subpath cannot ship without its files. */
const ENTRIES = Object.keys(
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> })
    .exports,
)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => (subpath === '.' ? 'index' : `${subpath.slice(2)}/index`))
const REQUIRED = [
  ...ENTRIES.flatMap((entry) =>
    ['esm', 'cjs'].flatMap((format) => [`dist/${format}/${entry}.js`, `dist/${format}/${entry}.d.ts`]),
  ),
  'sql/postgres/001_idempotency.sql',
  'sql/postgres/dsql/001_idempotency.sql',
]

const timings: [string, number][] = []
function step<T>(name: string, work: () => T): T {
  const startedMs = performance.now()
  const result = work()
  const record = () => timings.push([name, performance.now() - startedMs])
  if (result instanceof Promise) result.finally(record).catch(() => undefined)
  else record()
  return result
}

function run(command: string, args: string[], cwd: string, show = false): string {
  try {
    const output = execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    if (show) process.stdout.write(output)
    return output
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    process.stderr.write(`${stdout ?? ''}${stderr ?? ''}`)
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}`)
  }
}

const work = await mkdtemp(join(tmpdir(), 'lambda-idempotency-smoke-'))
const scratch = join(work, 'consumer')
try {
  step('build', () => run('npm', ['run', 'build'], root))
  const packed = step('npm pack', () =>
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root),
  )
  const [manifest] = JSON.parse(packed) as { filename: string; files: { path: string }[]; size: number }[]
  if (manifest === undefined) throw new Error('npm pack reported no tarball')
  const paths = manifest.files.map((file) => file.path)
  const unexpected = paths.filter((path) => !SHIPPED.test(path))
  const missing = REQUIRED.filter((path) => !paths.includes(path))
  if (unexpected.length > 0 || missing.length > 0)
    throw new Error(`tarball contents: unexpected ${unexpected.join(', ')}; missing ${missing.join(', ')}`)
  console.log(`tarball: ${manifest.filename}, ${paths.length} files, ${(manifest.size / 1024).toFixed(1)} KB`)
  const tarball = join(work, manifest.filename)

  step('publint', () => run(bin('publint'), ['--strict'], root, true))
  step('attw', () => run(bin('attw'), [tarball], root, true))

  await mkdir(join(scratch, 'src'), { recursive: true })
  await writeJson(join(scratch, 'package.json'), { name: 'consumer', private: true, type: 'module' })
  step('npm install (offline)', () =>
    run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', tarball],
      scratch,
    ),
  )
  for (const name of LINKED) {
    await mkdir(dirname(join(scratch, 'node_modules', name)), { recursive: true })
    await symlink(join(root, 'node_modules', name), join(scratch, 'node_modules', name), 'dir')
  }
  for (const file of ['usage.ts', 'stores.ts', 'esm.ts', 'cjs.cts', 'hazard.ts'])
    await copyFile(join(fixtures, file), join(scratch, 'src', file))
  // One source, both module formats: the CommonJS consumer imports the same usage as the ESM one.
  for (const shared of ['usage', 'stores'])
    await copyFile(join(fixtures, `${shared}.ts`), join(scratch, 'src', `${shared}.cts`))
  await writeConsumerConfigs()

  step('tsc NodeNext (ESM + CJS)', () => run(bin('tsc'), ['-p', 'tsconfig.nodenext.json'], scratch))
  step('tsc Bundler', () => run(bin('tsc'), ['-p', 'tsconfig.bundler.json'], scratch))
  step('run ESM', () => run(process.execPath, ['out/esm.js'], scratch, true))
  step('run CommonJS', () => run(process.execPath, ['out/cjs.cjs'], scratch, true))
  step('run ESM + CommonJS', () => run(process.execPath, ['out/hazard.js'], scratch, true))
  // The operator CLI as npm links it: the shebang, the executable bit npm sets, and its imports from dist.
  const usage = step('run the bin', () =>
    run(join(scratch, 'node_modules/.bin/lambda-idempotency'), ['--help'], scratch),
  )
  if (!usage.startsWith('Usage: lambda-idempotency')) throw new Error(`the bin printed no usage: ${usage}`)
  console.log('bin: lambda-idempotency --help prints its usage')
  await step('run the bin: local', () =>
    checkLocal(join(scratch, 'node_modules/.bin/lambda-idempotency'), scratch),
  )
  const extracted = join(work, 'package')
  await mkdir(extracted)
  step('extract the tarball', () =>
    run('tar', ['-xzf', tarball, '-C', extracted, '--strip-components=1'], work),
  )
  const failures = await step('install sets (tsc, no skipLibCheck)', () => checkInstallSets(extracted, work))
  if (failures.length > 0) {
    for (const failure of failures) console.error(failure)
    throw new Error(`${failures.length} install set(s) do not type-check on their own: see docs/packaging.md`)
  }
  // The adopter's path end to end, on the tarball packed above: one build serves both.
  await step('adopter smoke (the guide)', () => adopterSmoke(tarball))
  const installed = JSON.parse(
    await readFile(join(scratch, 'node_modules/lambda-idempotency/package.json'), 'utf8'),
  )
  console.log(`installed lambda-idempotency@${installed.version} from the tarball`)
} finally {
  if (process.env.KEEP_SMOKE) console.log(`scratch project kept in ${scratch}`)
  else await rm(work, { recursive: true, force: true })
  for (const [name, ms] of timings) console.log(`${name.padEnd(28)} ${(ms / 1000).toFixed(1)} s`)
}

async function writeConsumerConfigs(): Promise<void> {
  const common = { target: 'ES2022', strict: true, types: ['node'], skipLibCheck: true }
  await writeJson(join(scratch, 'tsconfig.nodenext.json'), {
    compilerOptions: {
      ...common,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      outDir: 'out',
      rootDir: 'src',
    },
    include: ['src'],
  })
  await writeJson(join(scratch, 'tsconfig.bundler.json'), {
    compilerOptions: { ...common, module: 'Preserve', moduleResolution: 'Bundler', noEmit: true },
    files: ['src/esm.ts', 'src/usage.ts', 'src/stores.ts', 'src/hazard.ts'],
  })
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`)
}

/**
 * `lambda-idempotency local` from the installed bin: it prints the exports, and SIGTERM stops it with exit 0. The
 * dist build of the launcher (no import.meta in its CommonJS twin, the Java source it writes) runs only here.
 */
async function checkLocal(binPath: string, cwd: string): Promise<void> {
  const port = 18_000 + Math.floor(Math.random() * 2000)
  const child = spawn(binPath, ['local', '--port', String(port), '--table', 'smoke'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const serving = new Promise<void>((resolve) => {
    child.stdout.on('data', () => output.includes('Ctrl-C stops it') && resolve())
  })
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 90_000).unref())
  const started = await Promise.race([serving.then(() => 'serving' as const), exited, timeout])
  if (started !== 'serving') {
    child.kill('SIGKILL')
    throw new Error(`lambda-idempotency local did not start (${started}):\n${output}`)
  }
  if (!output.includes(`export DYNAMODB_ENDPOINT=http://127.0.0.1:${port}`))
    throw new Error(`lambda-idempotency local printed no endpoint:\n${output}`)
  child.kill('SIGTERM')
  const code = await exited
  if (code !== 0) throw new Error(`lambda-idempotency local exited ${code} on SIGTERM:\n${output}`)
  console.log('bin: lambda-idempotency local serves on 127.0.0.1 and stops on SIGTERM')
}

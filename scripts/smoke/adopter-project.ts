import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, symlink } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'

/**
 * The adopter's scratch project: its environment (no AWS configuration, an empty HOME), and `npm install` as the
 * guide says it, done offline. The tarball is installed by npm itself (the package has no dependencies, so no
 * registry is needed); every other package the guide names is linked from this repository's node_modules, with
 * its bins, as check-package.ts does. Why not the registry, which CI can reach: the versions are the ones this
 * repository's lockfile tested, the install takes no time, and a registry outage cannot fail the build.
 */
const root = join(import.meta.dirname, '../..')
const repoModules = join(root, 'node_modules')
const execFileAsync = promisify(execFile)

export interface Scratch {
  readonly dir: string
  /** An empty HOME: no ~/.aws/config or credentials file can stand in for the ones the guide says are not needed. */
  readonly home: string
  /** The variables every command runs with; `export` and `NAME=$(...)` lines add to it. */
  readonly env: Record<string, string>
  readonly tarball: string
  installedTarball: boolean
}

/**
 * The environment of a shell with nothing set up for AWS or this repository: no AWS_* variable, no DynamoDB Local
 * named, no npm_* from `npm run` (npm_config_local_prefix would send npx back to this repository), and no
 * node_modules/.bin of this repository on PATH, so `npx tsc` finds only the project's own.
 */
export function cleanEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(AWS_|npm_|DYNAMODB_ENDPOINT$|IDEMPOTENCY_|INIT_CWD$)/.test(name)) continue
    env[name] = value
  }
  // The commands run on the Node that runs the smoke (CI's Node 22), whatever the machine's default node is.
  env.PATH = [dirname(process.execPath), ...(env.PATH ?? '').split(':')]
    .filter((entry) => entry === dirname(process.execPath) || !entry.includes('node_modules'))
    .join(':')
  env.HOME = home
  return env
}

/** `npm install [-D] <packages>`: the tarball for lambda-idempotency, a link from this repository for the rest. */
export async function install(scratch: Scratch, packages: readonly string[]): Promise<string> {
  const installed: string[] = []
  if (packages.includes('lambda-idempotency')) {
    if (scratch.installedTarball) throw new Error('the guide installs lambda-idempotency twice')
    // --legacy-peer-deps: npm 7+ would fetch the required peer (@aws-sdk/client-dynamodb) from the registry; it is
    // linked below instead. npm runs only here, before any link exists, so it cannot prune one.
    const args = ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', scratch.tarball]
    await execFileAsync('npm', args, { cwd: scratch.dir, env: scratch.env })
    scratch.installedTarball = true
    installed.push(`lambda-idempotency (from ${scratch.tarball})`)
  }
  for (const spec of packages.filter((name) => name !== 'lambda-idempotency')) {
    const { name, range } = parseSpec(spec)
    const folder = join(repoModules, name)
    const manifest = readManifest(folder)
    if (range !== undefined && !satisfiesMajor(manifest.version, range))
      throw new Error(`the guide installs ${spec}, but this repository has ${name}@${manifest.version}`)
    await link(join(scratch.dir, 'node_modules', name), folder)
    for (const [bin, path] of binsOf(name, manifest))
      await link(join(scratch.dir, 'node_modules/.bin', bin), join('..', name, path))
    installed.push(`${name}@${manifest.version} (linked)`)
  }
  return installed.join('\n')
}

/** `aws-cdk@2` → aws-cdk and 2; `@types/node` → itself. Only a major (or none) is accepted: the guide pins no more. */
function parseSpec(spec: string): { name: string; range?: string } {
  const at = spec.indexOf('@', 1)
  if (at === -1) return { name: spec }
  return { name: spec.slice(0, at), range: spec.slice(at + 1) }
}

function satisfiesMajor(version: string, range: string): boolean {
  if (!/^\d+$/.test(range)) throw new Error(`the smoke understands a major version only, not ${range}`)
  return version.split('.')[0] === range
}

interface Manifest {
  readonly version: string
  readonly bin?: string | Record<string, string>
}

function readManifest(folder: string): Manifest {
  const path = join(folder, 'package.json')
  if (!existsSync(path)) throw new Error(`the guide installs ${folder}, which this repository does not have`)
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest
}

function binsOf(name: string, manifest: Manifest): [string, string][] {
  if (manifest.bin === undefined) return []
  if (typeof manifest.bin === 'string') return [[name.replace(/^@[^/]+\//, ''), manifest.bin]]
  return Object.entries(manifest.bin)
}

async function link(path: string, target: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await symlink(target, path)
}

/** Packages a plain handler must type-check without: their presence would hide a leaked import. */
export function assertAbsent(scratch: Scratch, names: readonly string[]): void {
  const present = names.filter((name) => existsSync(join(scratch.dir, 'node_modules', name)))
  if (present.length > 0) throw new Error(`the scratch project has ${present.join(', ')}; it must not`)
}

/** A port nobody listens on now: `local`'s default, 8000, may be a developer's own DynamoDB Local. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no free port')
  return address.port
}

/**
 * Java processes this smoke started, found by the empty HOME they inherited: concurrent test runs on the same
 * machine have java of their own, which this must not count.
 */
export function javaStartedBy(home: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'java') continue
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0')
      if (environ.includes(`HOME=${home}`)) found.push(Number(entry))
    } catch {
      // Gone between the listing and the read, or not ours to read.
    }
  }
  return found
}

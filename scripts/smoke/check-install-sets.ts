import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { ALIASED, INSTALL_SETS, type InstallSet, packageName, TOOLCHAIN } from './install-sets.js'

const root = join(import.meta.dirname, '../..')
const repoModules = join(root, 'node_modules')
const run = promisify(execFile)

/**
 * Every install set (install-sets.ts) type-checked as its own project, against the package extracted from the
 * tarball: `tsc --strict --skipLibCheck false`, module NodeNext, where only the set's packages are resolvable.
 * Each is linked from this repository's node_modules with the packages it depends on (as npm would install
 * them), and `preserveSymlinks` makes the compiler resolve from the links, so a peer's own types find only what
 * the set has too. Sets with the same packages share one project (the same check, one compiler run). Returns
 * the failures; the projects run a few at a time.
 */
export async function checkInstallSets(packageDir: string, work: string): Promise<string[]> {
  const uncovered = exportedSubpaths().filter(
    (subpath) => !INSTALL_SETS.some((set) => set.entryPoints.includes(subpath)),
  )
  if (uncovered.length > 0)
    return [`no install set imports ${uncovered.join(', ')}: add one to scripts/smoke/install-sets.ts`]
  const failures: string[] = []
  const projects = new Map<string, InstallSet[]>()
  for (const set of INSTALL_SETS) {
    const packages = packagesOf(set).sort().join(' ')
    projects.set(packages, [...(projects.get(packages) ?? []), set])
  }
  // aws-cdk-lib's types take the longest to check: start them first, so they do not run alone at the end.
  const queue = [...projects.values()].sort(
    (a, b) =>
      Number(packagesOf(b[0] as InstallSet).includes('aws-cdk-lib')) -
      Number(packagesOf(a[0] as InstallSet).includes('aws-cdk-lib')),
  )
  const worker = async () => {
    for (let sets = queue.shift(); sets !== undefined; sets = queue.shift()) {
      const failure = await checkProject(
        sets,
        packageDir,
        join(work, 'sets', sets.map((set) => set.id).join('+')),
      )
      if (failure !== undefined) failures.push(failure)
    }
  }
  await Promise.all(Array.from({ length: Math.min(4, availableParallelism()) }, worker))
  return failures
}

/** The subpaths package.json exports, as `.` and `./http`. */
export function exportedSubpaths(): string[] {
  const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>
  }
  return Object.keys(exports).filter((subpath) => subpath !== './package.json')
}

const packagesOf = (set: InstallSet) => [...set.install, ...(set.installDev ?? [])]

/** One project for sets that install the same packages: each set's consumer is a file of its own. */
async function checkProject(
  sets: readonly InstallSet[],
  packageDir: string,
  dir: string,
): Promise<string | undefined> {
  const [first] = sets
  if (first === undefined) return undefined
  const ids = sets.map((set) => set.id).join(', ')
  const modules = join(dir, 'node_modules')
  await mkdir(join(dir, 'src'), { recursive: true })
  await writeJson(join(dir, 'package.json'), { name: 'install-set', private: true, type: 'module' })
  await link(modules, 'lambda-idempotency', packageDir)
  const seen = new Set<string>()
  const specs = [...packagesOf(first), ...TOOLCHAIN.filter((name) => name !== 'typescript')]
  for (const spec of specs) {
    const folder = join(repoModules, ALIASED[spec] ?? packageName(spec))
    if (!existsSync(join(folder, 'package.json'))) throw new Error(`${spec} is not installed in ${folder}`)
    await link(modules, packageName(spec), folder)
  }
  for (const spec of specs)
    await linkDependencies(modules, join(repoModules, ALIASED[spec] ?? packageName(spec)), seen)
  for (const set of sets)
    await copyFile(
      join(import.meta.dirname, 'consumer/sets', `${set.id}.ts`),
      join(dir, 'src', `${set.id}.ts`),
    )
  await writeJson(join(dir, 'tsconfig.json'), {
    compilerOptions: {
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      preserveSymlinks: true,
    },
    include: ['src'],
  })
  const startedMs = performance.now()
  try {
    await run(join(repoModules, '.bin/tsc'), ['-p', dir], { cwd: dir, maxBuffer: 16 * 1024 * 1024 })
    console.log(
      `install sets ${ids.padEnd(20)} ok   ${((performance.now() - startedMs) / 1000).toFixed(1)} s`,
    )
    return undefined
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    return `install sets ${ids} (${packagesOf(first).join(', ') || 'nothing'}):\n${stdout}${stderr}`
  }
}

/**
 * Walks what the package in `folder` depends on (dependencies, optional ones that are installed, and peers it does
 * not mark optional: npm installs those), resolved from `folder` as Node would, and links each hoisted one into
 * `modules`. A dependency nested in a package's own node_modules is reached through the link to that package.
 */
async function linkDependencies(modules: string, folder: string, seen: Set<string>): Promise<void> {
  if (seen.has(folder)) return
  seen.add(folder)
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
    name: string
    dependencies?: Record<string, string>
    optionalDependencies?: Record<string, string>
    peerDependencies?: Record<string, string>
    peerDependenciesMeta?: Record<string, { optional?: boolean }>
  }
  const optional = manifest.optionalDependencies ?? {}
  const peers = Object.keys(manifest.peerDependencies ?? {}).filter(
    (peer) => !manifest.peerDependenciesMeta?.[peer]?.optional,
  )
  for (const dependency of [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(optional),
    ...peers,
  ]) {
    const found = resolveFrom(folder, dependency)
    if (found === undefined) {
      if (dependency in optional) continue
      throw new Error(`${manifest.name} depends on ${dependency}, which is not installed`)
    }
    if (found === join(repoModules, dependency) && !existsSync(join(modules, dependency)))
      await link(modules, dependency, found)
    await linkDependencies(modules, found, seen)
  }
}

/** Where Node finds `name` from inside `folder`: the nearest node_modules/name upwards. */
function resolveFrom(folder: string, name: string): string | undefined {
  for (let dir = folder; dir.startsWith(root); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
  }
  return undefined
}

async function link(modules: string, name: string, target: string): Promise<void> {
  await mkdir(dirname(join(modules, name)), { recursive: true })
  await symlink(target, join(modules, name), 'dir')
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`)
}

// `npx tsx scripts/smoke/check-install-sets.ts <extracted package> <work dir>`: the sets alone, for a quick look.
if (process.argv[1] === import.meta.filename) {
  const [packageDir, work] = process.argv.slice(2)
  if (packageDir === undefined || work === undefined)
    throw new Error('usage: check-install-sets.ts <package dir> <work dir>')
  const failures = await checkInstallSets(packageDir, work)
  for (const failure of failures) console.error(failure)
  process.exitCode = failures.length > 0 ? 1 : 0
}

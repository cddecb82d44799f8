import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { runCommand, type Session, shell, stopLocal } from './adopter-commands.js'
import { GUIDE_PATH, type GuideItem, readGuide } from './adopter-guide.js'
import { cleanEnv, javaStartedBy } from './adopter-project.js'

/**
 * `npm run smoke:adopter` (and the last step of `npm run check:package`, which passes its tarball): issue 20's
 * "Done when", run from docs/use-in-your-project.md itself. A scratch project in a temp dir, with no AWS
 * variables and an empty HOME, installs the packed tarball with the README's install line, writes the guide's
 * files, and runs every command of the guide in order: `tsc` strict without Middy or @types/aws-lambda,
 * `npx lambda-idempotency local` in the background, the handler run then replayed, the named error of a missing
 * table, the guide's vitest test, and `cdk synth`. Then the testing helpers from CommonJS (what jest loads),
 * `local` stopped with SIGTERM, and no java left behind. Prints each step's time; exits non-zero with the failed
 * step's output.
 */
const root = join(import.meta.dirname, '../..')

/** What jest does with the testing helpers: require() them (the CommonJS build), with no DynamoDB Local named. */
const COMMONJS_CHECK = `
const { makeIdempotent } = require('lambda-idempotency')
const { createIdempotencyTable } = require('lambda-idempotency/testing')
;(async () => {
  const table = await createIdempotencyTable()
  let runs = 0
  const charge = makeIdempotent(async () => ++runs, { store: table.store(), key: (event) => event.id })
  const first = await charge({ id: 'order-1' }, {})
  const again = await charge({ id: 'order-1' }, {})
  await table.delete()
  if (runs !== 1 || first !== again) throw new Error('the CommonJS build did not replay: ' + runs + ' runs')
  console.log('CommonJS: a table of its own on ' + table.endpoint + ', a run then a replay')
})()
`

export async function adopterSmoke(tarball: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'lambda-idempotency-adopter-'))
  const home = join(work, 'home')
  const dir = join(work, 'my-service')
  await Promise.all([mkdir(home), mkdir(dir)])
  const scratch = { dir, home, env: cleanEnv(home), tarball, installedTarball: false }
  const session: Session = { scratch, results: new Map(), freshRuns: 0 }
  const timings: [string, number][] = []
  const step = async (name: string, work: () => Promise<string>): Promise<string> => {
    const startedMs = performance.now()
    try {
      return await work()
    } catch (error) {
      console.error(`adopter smoke: ${name} FAILED`)
      throw error
    } finally {
      timings.push([name, performance.now() - startedMs])
    }
  }
  const errors: unknown[] = []
  try {
    let last = ''
    for (const item of readGuide()) last = await follow(item, last, session, step)
    await step('testing helpers from CommonJS', async () => {
      await writeFile(join(dir, 'commonjs-check.cjs'), COMMONJS_CHECK)
      return shell(session, 'node commonjs-check.cjs', { DYNAMODB_ENDPOINT: '' })
    }).then((output) => process.stdout.write(output))
  } catch (error) {
    errors.push(error)
  }
  try {
    const local = session.local
    if (local !== undefined) await step('stop local (SIGTERM)', () => stopLocal(local))
    const left = javaStartedBy(home)
    if (left.length > 0) throw new Error(`java left running after the smoke: pid ${left.join(', ')}`)
  } catch (error) {
    errors.push(error)
  }
  if (process.env.KEEP_SMOKE) console.log(`adopter project kept in ${dir}`)
  else await rm(work, { recursive: true, force: true })
  console.log(`adopter smoke (${GUIDE_PATH}), step by step:`)
  for (const [name, ms] of timings) console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s  ${name}`)
  if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'adopter smoke')
}

/** One item of the guide: a file written, a command run, its output checked, or a deploy step named. */
async function follow(
  item: GuideItem,
  last: string,
  session: Session,
  step: (name: string, work: () => Promise<string>) => Promise<string>,
): Promise<string> {
  switch (item.kind) {
    case 'file':
      await mkdir(dirname(join(session.scratch.dir, item.path)), { recursive: true })
      await writeFile(join(session.scratch.dir, item.path), item.text)
      return last
    case 'command':
      return step(`${GUIDE_PATH}:${item.at} ${item.line}`, () => runCommand(session, item.line))
    case 'output':
      for (const fragments of item.fragments) {
        let from = 0
        for (const fragment of fragments) {
          from = last.indexOf(fragment, from)
          if (from === -1)
            throw new Error(
              `${GUIDE_PATH}:${item.at} shows output the command did not print: ${fragment}\n${last}`,
            )
        }
      }
      return last
    case 'not-run':
      console.log(`not run (${item.why}): ${item.lines.join('; ')}`)
      return last
  }
}

/** Builds and packs the tarball, as check-package.ts does, when none is given. */
function pack(work: string): string {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const packed = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
  })
  const [manifest] = JSON.parse(packed) as { filename: string }[]
  if (manifest === undefined) throw new Error('npm pack reported no tarball')
  return join(work, manifest.filename)
}

// `npm run smoke:adopter [-- --tarball <path>]`: on its own, it builds and packs first.
if (process.argv[1] === import.meta.filename) {
  const given = process.argv.indexOf('--tarball')
  const packDir = given === -1 ? await mkdtemp(join(tmpdir(), 'lambda-idempotency-pack-')) : undefined
  try {
    const tarball = packDir === undefined ? resolve(process.argv[given + 1] ?? '') : pack(packDir)
    await adopterSmoke(tarball)
  } catch (error) {
    console.error(error)
    process.exitCode = 1
  } finally {
    if (packDir !== undefined) await rm(packDir, { recursive: true, force: true })
  }
}

import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readmeInstallLine } from './adopter-guide.js'
import { assertAbsent, freePort, install, javaStartedBy, type Scratch } from './adopter-project.js'

/**
 * What each command of the guide means to the smoke, and what must come of it. A line no pattern here knows fails
 * the smoke: a command added to the guide is run in CI from the day it is written, or the build says so.
 */
export interface Session {
  readonly scratch: Scratch
  /** `npx lambda-idempotency local`, running in the background. */
  local?: LocalProcess
  /** The result each `node dist/invoke.js` line gave the first time: a second run of the line must replay it. */
  readonly results: Map<string, string>
  /** Orders the handler ran for (outcome "fresh"): charges.log must have as many lines. */
  freshRuns: number
}

export interface LocalProcess {
  readonly child: ChildProcess
  readonly port: number
  output: string
  /** Resolves once every process holding its output has exited: npx and the command it started. */
  readonly closed: Promise<void>
}

type Handler = (session: Session, line: string, match: RegExpExecArray) => Promise<string>

const HANDLERS: [RegExp, Handler][] = [
  [/^npm install (-D )?(.+)$/, installPackages],
  [/^npm (init -y|pkg set type=module)$/, (session, line) => shell(session, line)],
  [/^echo '[^']*' > cdk\.json$/, (session, line) => shell(session, line)],
  [/^npx tsc$/, typeCheck],
  [/^npx lambda-idempotency local$/, startLocal],
  [/^export (\w+)=(\S+)$/, exportPrinted],
  [/^(\w+)=\$\((npx uuid v7)\)$/, makeKey],
  [/^IDEMPOTENCY_TABLE_NAME=([\w-]+) node dist\/invoke\.js .+$/, invokeMissingTable],
  [/^node dist\/invoke\.js .+$/, invoke],
  [/^wc -l < charges\.log$/, countCharges],
  [/^npx vitest run$/, (session, line) => shell(session, line)],
  [/^npx cdk synth$/, synth],
]

export async function runCommand(session: Session, line: string): Promise<string> {
  for (const [pattern, handler] of HANDLERS) {
    const match = pattern.exec(line)
    if (match !== null) return handler(session, line, match)
  }
  throw new Error(`the guide runs \`${line}\`, which scripts/smoke/adopter-commands.ts does not know`)
}

/** Runs one line in bash, in the project, with the session's environment; fails with its output if it fails. */
export function shell(
  session: Session,
  line: string,
  extraEnv: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...session.scratch.env, ...extraEnv }
    const options = { cwd: session.scratch.dir, env, timeout: 180_000, maxBuffer: 32 * 1024 * 1024 }
    execFile('bash', ['-euo', 'pipefail', '-c', line], options, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`
      if (error)
        reject(Object.assign(new Error(`\`${line}\` failed (${error.message}):\n${output}`), { output }))
      else resolve(output)
    })
  })
}

async function installPackages(session: Session, line: string, match: RegExpExecArray): Promise<string> {
  const packages = (match[2] ?? '').split(/\s+/)
  if (packages.includes('lambda-idempotency') && line !== readmeInstallLine())
    throw new Error(
      `the guide's install line differs from the README's:\n  ${line}\n  ${readmeInstallLine()}`,
    )
  return install(session.scratch, packages)
}

/** The guide's tsconfig, as tsc reads it, is strict and checks the packages' own types. */
async function typeCheck(session: Session, line: string): Promise<string> {
  assertAbsent(session.scratch, ['@middy/core', '@types/aws-lambda'])
  const config = JSON.parse(await shell(session, 'npx tsc --showConfig')) as {
    compilerOptions: { strict?: boolean; skipLibCheck?: boolean }
  }
  if (config.compilerOptions.strict !== true || config.compilerOptions.skipLibCheck !== false)
    throw new Error(`the guide's tsconfig must be strict, skipLibCheck false: ${JSON.stringify(config)}`)
  return shell(session, line)
}

/**
 * Started as the guide says, in the background, on a free port (8000 may be taken on a developer's machine). Its
 * own process group, so the stop can signal it as a terminal does: npx passes no SIGTERM on to the command.
 */
async function startLocal(session: Session, line: string): Promise<string> {
  const port = await freePort()
  const [command = 'npx', ...args] = line.split(' ')
  const child = spawn(command, [...args, '--port', String(port)], {
    cwd: session.scratch.dir,
    env: session.scratch.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const local: LocalProcess = {
    child,
    port,
    output: '',
    closed: Promise.all([
      new Promise((resolve) => child.stdout.once('close', resolve)),
      new Promise((resolve) => child.stderr.once('close', resolve)),
    ]).then(() => undefined),
  }
  session.local = local
  const append = (chunk: string) => {
    local.output += chunk
  }
  child.stdout.setEncoding('utf8').on('data', append)
  child.stderr.setEncoding('utf8').on('data', append)
  const deadline = Date.now() + 90_000
  while (!local.output.includes('Ctrl-C stops it')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`\`${line}\` did not start:\n${local.output}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  // The check that no java is left at the end means something only if it finds this one now.
  if (javaStartedBy(session.scratch.home).length === 0)
    throw new Error(`no java found for \`${line}\` by its HOME: the leftover check would pass vacuously`)
  return local.output
}

/** Stops `local` as Ctrl-C would, with SIGTERM to its process group; it must say so, and java must be gone. */
export async function stopLocal(local: LocalProcess): Promise<string> {
  if (local.child.pid !== undefined) process.kill(-local.child.pid, 'SIGTERM')
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`local did not stop:\n${local.output}`)), 30_000).unref(),
  )
  await Promise.race([local.closed, timeout])
  if (!local.output.includes('DynamoDB Local stopped.'))
    throw new Error(`local did not stop cleanly on SIGTERM:\n${local.output}`)
  return local.output
}

/** An `export` line of the guide must be one `local` printed (on its port), and takes the printed value. */
async function exportPrinted(session: Session, line: string, match: RegExpExecArray): Promise<string> {
  const local = session.local
  if (local === undefined) throw new Error(`\`${line}\` before \`npx lambda-idempotency local\``)
  const printed = line.replace(':8000', `:${local.port}`)
  if (!local.output.split('\n').some((out) => out.trim() === printed))
    throw new Error(`\`${line}\` is not what local printed:\n${local.output}`)
  session.scratch.env[match[1] ?? ''] = (match[2] ?? '').replace(':8000', `:${local.port}`)
  return printed
}

async function makeKey(session: Session, _line: string, match: RegExpExecArray): Promise<string> {
  const key = (await shell(session, match[2] ?? '')).trim()
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(key))
    throw new Error(`\`${match[2]}\` printed ${key}, not a UUIDv7`)
  session.scratch.env[match[1] ?? ''] = key
  return key
}

/** The first run of a line charges ("fresh"); every later one replays the same result and charges nothing. */
async function invoke(session: Session, line: string): Promise<string> {
  const output = await shell(session, line)
  const lines = output.trim().split('\n')
  const outcome = /"idempotencyOutcome":"(\w+)"/.exec(output)?.[1]
  const result = lines.at(-1) ?? ''
  const first = session.results.get(line)
  const expected = first === undefined ? 'fresh' : 'replay'
  if (outcome !== expected) throw new Error(`\`${line}\` logged ${outcome}, not ${expected}:\n${output}`)
  if (first === undefined) {
    session.results.set(line, result)
    session.freshRuns++
  } else if (result !== first) throw new Error(`the replay answered ${result}, the run ${first}`)
  return output
}

/** On a missing table: a named configuration error, with the table and how to create it, and a failed run. */
async function invokeMissingTable(session: Session, line: string, match: RegExpExecArray): Promise<string> {
  const output = await shell(session, line).then(
    (out) => Promise.reject(new Error(`\`${line}\` succeeded against a missing table:\n${out}`)),
    (error: { output?: string }) => error.output ?? '',
  )
  const table = match[1] ?? ''
  for (const expected of [
    'IdempotencyStoreMisconfiguredError',
    `DynamoDB table '${table}' does not exist`,
    `npx lambda-idempotency local --table ${table}`,
  ])
    if (!output.includes(expected)) throw new Error(`\`${line}\` did not say ${expected}:\n${output}`)
  return output
}

async function countCharges(session: Session, line: string): Promise<string> {
  const output = await shell(session, line)
  if (Number(output.trim()) !== session.freshRuns)
    throw new Error(`charges.log has ${output.trim()} lines, for ${session.freshRuns} order(s) run`)
  return output
}

/** The template the deploy would send: the table, and the function connected to it. */
async function synth(session: Session, line: string): Promise<string> {
  // No version check or telemetry from a CI machine; neither changes the template.
  const output = await shell(session, line, {
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  })
  const template = JSON.parse(
    await readFile(join(session.scratch.dir, 'cdk.out/Orders.template.json'), 'utf8'),
  ) as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>
  }
  const resources = Object.values(template.Resources)
  const table = resources.find((resource) => resource.Type === 'AWS::DynamoDB::Table')
  const fn = resources.find((resource) => resource.Type === 'AWS::Lambda::Function')
  if (table === undefined) throw new Error('cdk synth made no AWS::DynamoDB::Table')
  if (!JSON.stringify(fn?.Properties ?? {}).includes('IDEMPOTENCY_TABLE_NAME'))
    throw new Error('cdk synth made no function with IDEMPOTENCY_TABLE_NAME')
  return output
}

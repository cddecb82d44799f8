import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { build } from 'esbuild'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { sleep } from '../../lib/backoff.js'
import { listenersOn, probeLoopbackPort } from '../../lib/local/ports.js'
import { isAlive } from '../../lib/local/supervise.js'
import { localClient } from '../../lib/local/table.js'
import { javaPidsOn, waitUntilGone } from '../support/java-processes.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
let bundle: string
let scratch: string

/** The CLI as one bundle, so each start costs what the published bin's does, not a tsx compile. */
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cli-local-'))
  bundle = join(scratch, 'cli.mjs')
  await build({
    entryPoints: [join(repoRoot, 'lib/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  })
})
afterAll(() => rm(scratch, { recursive: true, force: true }))

interface Running {
  readonly cli: ChildProcess
  readonly port: number
  readonly javaPid: number
  readonly exports: Record<string, string>
  output(): string
  readonly exit: Promise<number | null>
}
const running: Running[] = []

afterEach(async () => {
  for (const { cli, javaPid } of running.splice(0)) {
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL')
    if (!(await waitUntilGone(javaPid, 10_000))) process.kill(javaPid, 'SIGKILL')
  }
})

/** `lambda-idempotency local` in its own process, from `cwd`; resolves once it printed the exports. */
async function startLocal(args: string[], cwd = repoRoot): Promise<Running> {
  const port = await probeLoopbackPort()
  // The table's default name comes from IDEMPOTENCY_TABLE_NAME when set: a developer's shell may have it.
  const { IDEMPOTENCY_TABLE_NAME: _, ...env } = process.env
  const cli = spawn(process.execPath, [bundle, 'local', '--port', String(port), ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  cli.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  cli.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const exit = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)))
  await Promise.race([
    (async () => {
      while (!output.includes('Ctrl-C stops it')) await sleep(50)
    })(),
    exit.then((code) => {
      throw new Error(`local exited with ${code} before serving:\n${output}`)
    }),
  ])
  const exports = Object.fromEntries([...output.matchAll(/export (\w+)=(\S+)/g)].map((m) => [m[1], m[2]]))
  const [javaPid] = javaPidsOn(port)
  if (javaPid === undefined) throw new Error(`no java process serves port ${port}`)
  const started = { cli, port, javaPid, exports, output: () => output, exit }
  running.push(started)
  return started
}

/** The machine's addresses other than loopback: DynamoDB Local must not answer on any of them. */
function outsideAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address !== undefined && !address.internal && address.family === 'IPv4')
    .map((address) => (address as { address: string }).address)
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/** A plain handler, one invocation per process, with no AWS variables at all: only the two `local` printed. */
async function invokeHandler(exports: Record<string, string>): Promise<{ runs: number; result: unknown }> {
  const script = join(scratch, 'handler.mts')
  await writeFile(
    script,
    `import { DynamoDBStore, makeIdempotent } from ${JSON.stringify(join(repoRoot, 'lib/index.ts'))}
let runs = 0
const charge = makeIdempotent(
  async (event: { orderId: string }) => {
    runs++
    return { charged: event.orderId, chargeId: crypto.randomUUID() }
  },
  { store: new DynamoDBStore(), key: (event) => event.orderId, namespace: 'local-loop' },
)
const result = await charge({ orderId: 'order-1' }, { functionName: 'charge' })
console.log(JSON.stringify({ runs, result }))
`,
  )
  const env = { PATH: process.env.PATH, HOME: scratch, ...exports }
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
    cwd: repoRoot,
    env,
  })
  return JSON.parse(stdout)
}

// Each start is a JVM, which takes seconds on a busy machine.
describe('lambda-idempotency local', { timeout: 120_000 }, () => {
  it('listens on 127.0.0.1 only, creates the table and prints the two variables to export', async () => {
    const { port, exports, output } = await startLocal(['--table', 'orders-idempotency'])

    expect(exports).toEqual({
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
      IDEMPOTENCY_TABLE_NAME: 'orders-idempotency',
    })
    expect(output()).toContain('table "orders-idempotency" created')
    const client = localClient(exports.DYNAMODB_ENDPOINT as string)
    expect((await client.send(new ListTablesCommand({}))).TableNames).toContain('orders-idempotency')
    client.destroy()
    expect(listenersOn(port)?.map(({ address }) => address)).toEqual(['127.0.0.1'])
    for (const address of outsideAddresses()) expect(await connects(address, port)).toBe(false)
  })

  it('runs a plain handler once and replays it from the table, with no AWS region or credentials', async () => {
    const { exports } = await startLocal([])

    const first = await invokeHandler(exports)
    const second = await invokeHandler(exports)

    expect(exports.IDEMPOTENCY_TABLE_NAME).toBe('idempotency')
    expect(first.runs).toBe(1)
    expect(second).toEqual({ runs: 0, result: first.result })
  })

  it.each(['SIGTERM', 'SIGINT'] as const)('stops java and exits 0 on %s', async (signal) => {
    const { cli, javaPid, exit, output } = await startLocal([])

    cli.kill(signal)

    expect(await exit).toBe(0)
    expect(output()).toContain('DynamoDB Local stopped.')
    expect(isAlive(javaPid)).toBe(false)
  })

  it('takes java down with it when its node process is killed with SIGKILL', async () => {
    const { cli, javaPid } = await startLocal([])

    cli.kill('SIGKILL')

    expect(await waitUntilGone(javaPid, 20_000)).toBe(true)
  })

  it('says what to install, in one line, when the project lacks amplify-dynamodb-simulator', async () => {
    const project = await mkdtemp(join(tmpdir(), 'cli-local-project-'))
    try {
      const cli = spawn(process.execPath, [bundle, 'local'], {
        cwd: project,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      cli.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk
      })
      const code = await new Promise((resolve) => cli.once('exit', resolve))

      expect(code).toBe(1)
      expect(stderr.trim().split('\n')).toHaveLength(1)
      expect(stderr).toContain('npm install -D amplify-dynamodb-simulator')
      expect(stderr).toContain('Java 17+')
    } finally {
      await rm(project, { recursive: true, force: true })
    }
  })

  it('refuses a port something else listens on, and says how to pick another', async () => {
    const { port } = await startLocal([])

    const cli = spawn(process.execPath, [bundle, 'local', '--port', String(port)], { cwd: repoRoot })
    let stderr = ''
    cli.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const code = await new Promise((resolve) => cli.once('exit', resolve))

    expect(code).toBe(1)
    expect(stderr).toContain(`port ${port} is taken`)
    expect(stderr).toContain('--port')
  })
})

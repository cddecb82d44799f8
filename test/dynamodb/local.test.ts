import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { type AddressInfo, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { idempotencyTableDefinition } from '../../lib/dynamodb/schema.js'
import { probePort } from '../../lib/local/ports.js'
import {
  type DynamoDBLocal,
  localDynamoDBClientConfig,
  startDynamoDBLocal,
} from '../../scripts/dynamodb-local.js'
import { isAlive, sleep } from '../../scripts/supervise.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const FAKE_LIST_TABLES_RESPONSE =
  'HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: 2\r\n\r\n{}'

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, () => resolve(server)))
}

const started: DynamoDBLocal[] = []
const clis: { cli: ChildProcess; javaPid: number }[] = []

async function start(options?: Parameters<typeof startDynamoDBLocal>[0]): Promise<DynamoDBLocal> {
  const db = await startDynamoDBLocal(options)
  started.push(db)
  return db
}

async function tableNames(endpoint: string): Promise<string[]> {
  const client = new DynamoDBClient(localDynamoDBClientConfig(endpoint))
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? []
  } finally {
    client.destroy()
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    if (!isAlive(pid)) return true
  }
  return false
}

/** Runs the CLI in its own node process, as `npm run dynamodb:local` would, and returns once it is serving. */
async function startCli() {
  const cli = spawn(process.execPath, ['--import', 'tsx', 'scripts/dynamodb-local.ts', '--in-memory'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  cli.stdout.setEncoding('utf8')
  cli.stderr.resume()
  const javaPid = await new Promise<number>((resolve, reject) => {
    cli.stdout.on('data', (chunk: string) => {
      stdout += chunk
      const match = /java pid (\d+)/.exec(stdout)
      if (match) resolve(Number(match[1]))
    })
    cli.once('exit', (code) => reject(new Error(`CLI exited with ${code} before serving:\n${stdout}`)))
  })
  clis.push({ cli, javaPid })
  return { cli, javaPid, output: () => stdout }
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((db) => db.stop()))
  for (const { cli, javaPid } of clis.splice(0)) {
    if (cli.exitCode === null && cli.signalCode === null) cli.kill('SIGKILL')
    if (!(await waitUntilGone(javaPid, 10_000))) process.kill(javaPid, 'SIGKILL')
  }
})

// Each of these starts a JVM, which takes seconds on a busy machine.
describe('startDynamoDBLocal', { timeout: 120_000 }, () => {
  it('starts a second instance on a free port that answers ListTables', async () => {
    const db = await start()

    expect(db.endpoint).toBe(`http://127.0.0.1:${db.port}`)
    expect(db.endpoint).not.toBe(inject('dynamodbEndpoint'))
    expect(await tableNames(db.endpoint)).toEqual([])
    if (existsSync(`/proc/${db.pid}/cmdline`)) {
      expect(readFileSync(`/proc/${db.pid}/cmdline`, 'utf8')).toContain('DynamoDBLocal.jar')
    }
  })

  it('leaves no process with the java pid once stop() resolves, however often it is called', async () => {
    const db = await start()

    await Promise.all([db.stop(), db.stop()])
    await db.stop()

    expect(() => process.kill(db.pid, 0)).toThrow()
    expect(isAlive(db.pid)).toBe(false)
  })

  it('keeps tables in a dbPath folder across a stop and a restart on the same folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dynamodb-local-test-'))
    try {
      const dbPath = join(folder, 'not', 'yet', 'created')
      const first = await start({ dbPath })
      const client = new DynamoDBClient(localDynamoDBClientConfig(first.endpoint))
      await client.send(new CreateTableCommand(idempotencyTableDefinition('survives-restart')))
      client.destroy()
      await first.stop()

      const second = await start({ dbPath })

      expect(await tableNames(second.endpoint)).toEqual(['survives-restart'])
    } finally {
      await Promise.all(started.splice(0).map((db) => db.stop()))
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('refuses a port that another process already listens on', async () => {
    const server = await listen(createServer())
    try {
      const { port } = server.address() as AddressInfo

      await expect(startDynamoDBLocal({ port })).rejects.toThrow(`port ${port} is already in use`)
    } finally {
      server.close()
    }
  })

  // DynamoDB Local idles instead of exiting when its port is taken, and the impostor answers ListTables for it.
  it.skipIf(!existsSync('/proc/net/tcp'))(
    'notices when another process takes the port between the probe and java binding it',
    async () => {
      const port = await probePort()
      const impostor = createServer((socket) => socket.end(FAKE_LIST_TABLES_RESPONSE)).on('error', () => {})
      setTimeout(() => impostor.listen(port), 100)
      try {
        await expect(startDynamoDBLocal({ port })).rejects.toThrow('another process took it first')
      } finally {
        impostor.close()
      }
    },
  )

  it('says in one line what to install when the java binary is missing', async () => {
    const error = await startDynamoDBLocal({ javaPath: '/nonexistent/java' }).then(
      (db) => db.stop().then(() => expect.fail('started without java')),
      (e: Error) => e,
    )

    expect(error.message).not.toContain('\n')
    expect(error.message).toContain('/nonexistent/java')
    expect(error.message).toContain('apt-get install openjdk-17-jre-headless')
    expect(error.message).toContain('DYNAMODB_ENDPOINT')
  })
})

describe('the dynamodb:local command line tool', { timeout: 120_000 }, () => {
  it('takes java down with it when its node process is killed with SIGKILL', async () => {
    const { cli, javaPid } = await startCli()
    expect(isAlive(javaPid)).toBe(true)

    cli.kill('SIGKILL')

    expect(await waitUntilGone(javaPid, 20_000)).toBe(true)
  })

  it('stops java and exits 0 on Ctrl-C (SIGINT)', async () => {
    const { cli, javaPid, output } = await startCli()
    const exitCode = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)))

    cli.kill('SIGINT')

    expect(await exitCode).toBe(0)
    expect(output()).toContain('DynamoDB Local stopped.')
    expect(isAlive(javaPid)).toBe(false)
  })
})

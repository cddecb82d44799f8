import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DynamoDBClient, type DynamoDBClientConfig, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { listensOn, probePort } from './ports.js'
import { isMainModule, serveUntilStopped, sleep, superviseInShell } from './supervise.js'

export interface DynamoDBLocalOptions {
  /** Defaults to true unless `dbPath` is given. */
  inMemory?: boolean
  /** Folder for the database file, created if missing; `.local/dynamodb` when `inMemory` is false. */
  dbPath?: string
  /** A free port is picked when omitted. */
  port?: number
  /** Receives every line DynamoDB Local prints. */
  log?: (line: string) => void
  javaPath?: string
  startTimeoutMs?: number
}

export interface DynamoDBLocal {
  endpoint: string
  port: number
  /** The java process itself, not the shell that supervises it. */
  pid: number
  /** Stops java and resolves once it has exited; calling it again returns the same promise. */
  stop(): Promise<void>
  /** Settles when DynamoDB Local has exited, whether stopped or crashed. */
  exited: Promise<void>
}

const JAVA_HINT =
  'install a Java 17+ runtime (e.g. `apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`) or set DYNAMODB_ENDPOINT to a running DynamoDB Local'

/** Client settings for DynamoDB Local: it accepts any credentials but the SDK insists on having some. */
export function localDynamoDBClientConfig(endpoint: string): DynamoDBClientConfig {
  return {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  }
}

export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  const javaPath = options.javaPath ?? 'java'
  await checkJava(javaPath)
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(javaPath, await probePort(options.port), options)
    } catch (error) {
      // Only a port we picked ourselves may be swapped for another.
      if (!(error instanceof PortTakenError) || options.port !== undefined || attempt === 3) throw error
    }
  }
}

class PortTakenError extends Error {}

const javaChecks = new Map<string, Promise<void>>()

function checkJava(javaPath: string): Promise<void> {
  let check = javaChecks.get(javaPath)
  if (!check) {
    check = new Promise<void>((resolve, reject) => {
      execFile(javaPath, ['-version'], { timeout: 30_000 }, (error) => {
        if (!error) return resolve()
        const outcome = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'was not found' : 'failed'
        reject(new Error(`DynamoDB Local needs Java but \`${javaPath} -version\` ${outcome}: ${JAVA_HINT}`))
      })
    })
    javaChecks.set(javaPath, check)
    check.catch(() => javaChecks.delete(javaPath))
  }
  return check
}

function emulatorDir(): string {
  const pkg = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')
  return join(dirname(pkg), 'emulator')
}

function javaArgs(port: number, options: DynamoDBLocalOptions): { args: string[]; cwd: string } {
  const inMemory = options.inMemory ?? options.dbPath === undefined
  if (inMemory && options.dbPath !== undefined)
    throw new Error('DynamoDB Local: pass inMemory or dbPath, not both')
  const dbPath = resolve(options.dbPath ?? '.local/dynamodb')
  // DynamoDB Local drops a dynamodb-local-metadata.json into its working directory; keep it out of the repo.
  const cwd = inMemory ? join(tmpdir(), 'dynamodb-local') : dbPath
  mkdirSync(cwd, { recursive: true })
  const emulator = emulatorDir()
  const args = [
    `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(emulator, 'DynamoDBLocal.jar'),
    '-disableTelemetry',
    // Without it each access key and region gets a database of its own, and tools would not see the tests' tables.
    '-sharedDb',
    '-port',
    String(port),
    ...(inMemory ? ['-inMemory'] : ['-dbPath', dbPath]),
  ]
  return { args, cwd }
}

async function launch(javaPath: string, port: number, options: DynamoDBLocalOptions): Promise<DynamoDBLocal> {
  const { args, cwd } = javaArgs(port, options)
  const tail: string[] = []
  const onLine = (line: string) => {
    tail.push(line)
    if (tail.length > 20) tail.shift()
    options.log?.(line)
  }
  const java = superviseInShell(javaPath, args, { cwd, onLine })
  const endpoint = `http://127.0.0.1:${port}`
  let pid: number
  try {
    pid = await java.pid
    await waitUntilReady(endpoint, java.exited, options.startTimeoutMs ?? 60_000)
  } catch (error) {
    await java.stop()
    const output = tail.length ? `; its last output:\n${tail.join('\n')}` : ''
    throw new Error(`${(error as Error).message}${output}`)
  }
  if (listensOn(pid, port) === false) {
    await java.stop()
    throw new PortTakenError(`DynamoDB Local could not listen on port ${port}: another process took it first`)
  }
  return { endpoint, port, pid, stop: java.stop, exited: java.exited }
}

async function waitUntilReady(endpoint: string, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let gone = false
  exited.then(() => {
    gone = true
  })
  const client = new DynamoDBClient({
    ...localDynamoDBClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
  })
  const deadline = Date.now() + timeoutMs
  try {
    for (;;) {
      if (gone) throw new Error(`DynamoDB Local exited before answering on ${endpoint}`)
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }))
        return
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms (${error})`)
        }
      }
      await sleep(100)
    }
  } finally {
    client.destroy()
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'in-memory': { type: 'boolean' }, 'db-path': { type: 'string' }, port: { type: 'string' } },
  })
  const port = values.port === undefined ? undefined : Number(values.port)
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`--port expects a port number, got ${values.port}`)
  }
  const inMemory = values['in-memory'] ?? false
  const db = await startDynamoDBLocal({ inMemory, dbPath: values['db-path'], port })
  const where = inMemory ? 'in memory' : `data in ${resolve(values['db-path'] ?? '.local/dynamodb')}`
  console.log(`DynamoDB Local listening on ${db.endpoint} (${where}, java pid ${db.pid})`)
  console.log(`export DYNAMODB_ENDPOINT=${db.endpoint}`)
  await serveUntilStopped('DynamoDB Local', db)
}

if (isMainModule(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error.message)
    process.exit(1)
  })
}

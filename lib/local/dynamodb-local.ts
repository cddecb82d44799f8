import { mkdirSync, rmSync } from 'node:fs'
import { createRequire as requireFrom } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { sleep } from '../backoff.js'
import { checkJava } from './java.js'
import { PORT_TAKEN_MARKER, writeLauncher } from './launcher.js'
import { LOOPBACK, listensOn, probeLoopbackPort } from './ports.js'
import { superviseInShell } from './supervise.js'

/** The package whose DynamoDBLocal.jar runs; an optional peer, installed in the project that runs it. */
export const EMULATOR_PACKAGE = 'amplify-dynamodb-simulator'

/** What to run when the jar's package is missing: a line to paste. */
export const EMULATOR_INSTALL = `npm install -D ${EMULATOR_PACKAGE}`

export interface DynamoDBLocalOptions {
  /** Defaults to true unless `dbPath` is given. */
  readonly inMemory?: boolean
  /** Folder for the database file, created if missing; `.local/dynamodb` when `inMemory` is false. */
  readonly dbPath?: string
  /** A free port is picked when omitted. */
  readonly port?: number
  /** Receives every line DynamoDB Local prints. */
  readonly log?: (line: string) => void
  /** @default 'java' */
  readonly javaPath?: string
  /** @default 60_000 */
  readonly startTimeoutMs?: number
  /** Where `amplify-dynamodb-simulator` is looked up, as `require` would from there. @default process.cwd() */
  readonly projectDir?: string
}

export interface DynamoDBLocal {
  /** Always on 127.0.0.1. */
  readonly endpoint: string
  readonly port: number
  /** The java process itself, not the shell that supervises it. */
  readonly pid: number
  /** Stops java and resolves once it has exited; calling it again returns the same promise. */
  stop(): Promise<void>
  /** Settles when DynamoDB Local has exited, whether stopped or crashed. */
  readonly exited: Promise<void>
}

/** The port was taken by someone else between the probe and java binding it. */
class PortTakenError extends Error {}

/**
 * Starts DynamoDB Local on 127.0.0.1 only, under a shell watchdog that stops java however this process ends
 * (SIGKILL included). The jar comes from `amplify-dynamodb-simulator` in `projectDir`'s node_modules.
 */
export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  const emulator = emulatorDir(options.projectDir ?? process.cwd())
  const javaPath = options.javaPath ?? 'java'
  await checkJava(javaPath)
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(javaPath, emulator, await probeLoopbackPort(options.port), options)
    } catch (error) {
      // Only a port we picked ourselves may be swapped for another.
      if (!(error instanceof PortTakenError) || options.port !== undefined || attempt === 3) throw error
    }
  }
}

/** The emulator folder of amplify-dynamodb-simulator (DynamoDBLocal.jar and DynamoDBLocal_lib/), or what to install. */
export function emulatorDir(projectDir: string): string {
  let manifest: string
  try {
    manifest = requireFrom(join(resolve(projectDir), 'package.json')).resolve(
      `${EMULATOR_PACKAGE}/package.json`,
    )
  } catch {
    throw new Error(
      `DynamoDB Local's jar comes from the ${EMULATOR_PACKAGE} package, which ${resolve(projectDir)} does not have: run \`${EMULATOR_INSTALL}\` there (DynamoDB Local also needs Java 17+), or set DYNAMODB_ENDPOINT to a running DynamoDB Local`,
    )
  }
  return join(dirname(manifest), 'emulator')
}

function javaArgs(emulator: string, launcher: string, port: number, options: DynamoDBLocalOptions) {
  const inMemory = options.inMemory ?? options.dbPath === undefined
  if (inMemory && options.dbPath !== undefined)
    throw new Error('DynamoDB Local: pass inMemory or dbPath, not both')
  const dbPath = inMemory ? undefined : resolve(options.dbPath ?? '.local/dynamodb')
  if (dbPath !== undefined) mkdirSync(dbPath, { recursive: true })
  const lib = join(emulator, 'DynamoDBLocal_lib')
  return [
    '-cp',
    `${join(emulator, 'DynamoDBLocal.jar')}${delimiter}${join(lib, '*')}`,
    `-Djava.library.path=${lib}`,
    launcher,
    String(port),
    dbPath ?? '-inMemory',
  ]
}

async function launch(
  javaPath: string,
  emulator: string,
  port: number,
  options: DynamoDBLocalOptions,
): Promise<DynamoDBLocal> {
  const launcher = writeLauncher()
  const tail: string[] = []
  let portTaken = false
  const onLine = (line: string) => {
    if (line.startsWith(PORT_TAKEN_MARKER)) portTaken = true
    tail.push(line)
    if (tail.length > 20) tail.shift()
    options.log?.(line)
  }
  let java: ReturnType<typeof superviseInShell>
  try {
    java = superviseInShell(javaPath, javaArgs(emulator, launcher.file, port, options), {
      // The launcher writes nothing to its working directory (ServerRunner's metadata file is not written).
      cwd: tmpdir(),
      onLine,
      // ServerRunner's telemetry is not called by the launcher; this keeps any other path quiet too.
      env: { DDB_LOCAL_TELEMETRY: '0' },
    })
  } catch (error) {
    rmSync(launcher.dir, { recursive: true, force: true })
    throw error
  }
  const endpoint = `http://${LOOPBACK}:${port}`
  let pid: number
  try {
    pid = await java.pid
    await waitUntilReady(endpoint, java.exited, options.startTimeoutMs ?? 60_000)
  } catch (error) {
    await java.stop()
    if (portTaken) throw new PortTakenError(portTakenMessage(port))
    const output = tail.length ? `; its last output:\n${tail.join('\n')}` : ''
    throw new Error(`${(error as Error).message}${output}`)
  } finally {
    // java compiled the launcher when it started; the file is not read again.
    rmSync(launcher.dir, { recursive: true, force: true })
  }
  if (listensOn(pid, port) === false) {
    await java.stop()
    throw new PortTakenError(portTakenMessage(port))
  }
  return { endpoint, port, pid, stop: java.stop, exited: java.exited }
}

const portTakenMessage = (port: number) =>
  `DynamoDB Local could not listen on port ${port}: another process took it first`

/**
 * Polls ListTables until DynamoDB Local answers. Plain HTTP, so the launcher needs no AWS SDK: DynamoDB Local
 * accepts any signature, it only wants the header.
 */
async function waitUntilReady(endpoint: string, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let gone = false
  exited.then(() => {
    gone = true
  })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (gone) throw new Error(`DynamoDB Local exited before answering on ${endpoint}`)
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: LIST_TABLES_HEADERS,
        body: '{"Limit":1}',
        signal: AbortSignal.timeout(2000),
      })
      await response.arrayBuffer()
      if (response.ok) return
      throw new Error(`HTTP ${response.status}`)
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms (${error})`)
    }
    await sleep(100)
  }
}

const LIST_TABLES_HEADERS = {
  'content-type': 'application/x-amz-json-1.0',
  'x-amz-target': 'DynamoDB_20120810.ListTables',
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
}

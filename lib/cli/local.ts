import { type DynamoDBLocal, startDynamoDBLocal } from '../local/dynamodb-local.js'
import { count, type Flags, text } from './args.js'
import { withPeer } from './backend.js'
import { CliError, EXIT, UsageError } from './errors.js'
import type { CliIo } from './io.js'

/** DynamoDB Local's own default port: the exports printed stay the same from one run to the next. */
export const DEFAULT_LOCAL_PORT = 8000
export const DEFAULT_LOCAL_TABLE = 'idempotency'

/**
 * `lambda-idempotency local`: DynamoDB Local on 127.0.0.1 with the idempotency table, for running a handler on
 * the developer's machine with no AWS account, region or credentials. Runs in the foreground until Ctrl-C or
 * SIGTERM, then stops java and exits 0; java cannot outlive it (lib/local/supervise.ts), SIGKILL included.
 */
export async function local(flags: Flags, io: CliIo): Promise<number> {
  const port = count(flags, 'port') ?? DEFAULT_LOCAL_PORT
  if (port > 65_535) throw new UsageError('--port needs a port number, 1 to 65535.')
  const table = text(flags, 'table') ?? (io.env.IDEMPOTENCY_TABLE_NAME || DEFAULT_LOCAL_TABLE)
  const dbPath = text(flags, 'db-path')
  // The table is created with the AWS SDK, a peer: say what to install before starting java for nothing.
  const { createLocalTable } = await withPeer(
    '@aws-sdk/client-dynamodb',
    'the AWS SDK',
    () => import('../local/table.js'),
  )
  const db = await start(port, dbPath)
  const stopped = untilStopped(db)
  try {
    const created = await createLocalTable(db.endpoint, table)
    const where = dbPath === undefined ? 'in memory' : `data in ${dbPath}`
    const what = created === 'created' ? 'created' : 'already there'
    io.out(
      `DynamoDB Local is listening on ${db.endpoint} (127.0.0.1 only, ${where}); table "${table}" ${what}.`,
    )
    io.out('In the shell that runs your handler:\n')
    io.out(`  export DYNAMODB_ENDPOINT=${db.endpoint}`)
    io.out(`  export IDEMPOTENCY_TABLE_NAME=${table}\n`)
    io.out('DynamoDBStore needs no AWS region or credentials on this endpoint. Ctrl-C stops it.')
  } catch (error) {
    await db.stop()
    throw error
  }
  const how = await stopped
  if (how === 'crashed') {
    io.err('lambda-idempotency: DynamoDB Local exited unexpectedly.')
    return EXIT.failed
  }
  io.out('DynamoDB Local stopped.')
  return EXIT.ok
}

async function start(port: number, dbPath: string | undefined): Promise<DynamoDBLocal> {
  try {
    return await startDynamoDBLocal({
      port,
      dbPath,
      inMemory: dbPath === undefined,
      projectDir: process.cwd(),
    })
  } catch (error) {
    const message = (error as Error).message
    if (/already in use|took it first/.test(message))
      throw new CliError(`port ${port} is taken (another DynamoDB Local?).`, EXIT.failed, [
        'Pass another with --port N, or stop what listens there.',
      ])
    // Missing java, a JRE without jdk.compiler, a missing amplify-dynamodb-simulator: each says what to install.
    throw new CliError(message)
  }
}

/** Resolves on Ctrl-C or SIGTERM once java has stopped, or when java exits by itself. */
function untilStopped(db: DynamoDBLocal): Promise<'signal' | 'crashed'> {
  return new Promise((resolve) => {
    let signalled = false
    const onSignal = () => {
      if (signalled) return
      signalled = true
      void db.stop().then(() => done('signal'))
    }
    const done = (how: 'signal' | 'crashed') => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      resolve(how)
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    void db.exited.then(() => {
      if (!signalled) done('crashed')
    })
  })
}

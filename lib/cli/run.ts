import { type Command, type Flags, parseCommandLine, text, USAGE } from './args.js'
import type { RecordBackend } from './backend.js'
import { dynamoDBBackend } from './dynamodb-backend.js'
import { CliError, EXIT, explainAwsError, UsageError, type Where } from './errors.js'
import { inspect } from './inspect.js'
import { invalidate } from './invalidate.js'
import type { CliIo } from './io.js'
import type { CommandContext } from './lookup.js'
import { stats } from './stats.js'

const COMMANDS: Record<Command, (context: CommandContext) => Promise<void>> = { inspect, invalidate, stats }
const PROGRAM = 'lambda-idempotency'

/** Runs one command line and returns the exit code; every error a user can cause becomes a message, never a trace. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let where: Where | undefined
  try {
    const parsed = parseCommandLine(argv)
    if (parsed.kind === 'help') {
      io.out(USAGE)
      return EXIT.ok
    }
    where = whereOf(parsed.flags, io.env)
    const backend = openBackend(where, io.env)
    await COMMANDS[parsed.command]({ command: parsed.command, flags: parsed.flags, io, backend })
    return EXIT.ok
  } catch (error) {
    return report(error, where, io)
  }
}

function report(error: unknown, where: Where | undefined, io: CliIo): number {
  if (error instanceof CliError) {
    io.err(`${PROGRAM}: ${error.message}`)
    for (const hint of error.hints) io.err(`  ${hint}`)
    if (error instanceof UsageError)
      io.err(error.showUsage ? `\n${USAGE}` : `Run \`${PROGRAM} --help\` for usage.`)
    return error.exitCode
  }
  const explained = where && explainAwsError(error, where)
  if (explained) {
    io.err(`${PROGRAM}: ${explained}`)
    return EXIT.failed
  }
  // Not the user's doing: name it in one line; LAMBDA_IDEMPOTENCY_DEBUG=1 shows where it came from.
  const { name, message, stack } = error instanceof Error ? error : new Error(String(error))
  io.err(`${PROGRAM}: unexpected ${name}: ${message}`)
  if (io.env.LAMBDA_IDEMPOTENCY_DEBUG) io.err(stack ?? '')
  return EXIT.failed
}

function whereOf(flags: Flags, env: CliIo['env']): Where {
  const table = text(flags, 'table') ?? (env.IDEMPOTENCY_TABLE_NAME || undefined)
  if (table === undefined)
    throw new UsageError('Name the table: --table, or the IDEMPOTENCY_TABLE_NAME variable.')
  return {
    table,
    endpoint: text(flags, 'endpoint') ?? (env.DYNAMODB_ENDPOINT || undefined),
    region: text(flags, 'region') ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined),
  }
}

/**
 * The one place a backend is chosen. A PostgreSQL backend is another `RecordBackend` (read, fenced delete,
 * scan over its table) and another branch here, picked by its own option (a connection string).
 */
function openBackend(where: Where, env: CliIo['env']): RecordBackend {
  return dynamoDBBackend(where, env)
}

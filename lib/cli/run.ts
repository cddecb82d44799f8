import { type Command, parseCommandLine, USAGE } from './args.js'
import type { RecordBackend } from './backend.js'
import { CliError, EXIT, explainAwsError, UsageError } from './errors.js'
import { inspect } from './inspect.js'
import { invalidate } from './invalidate.js'
import type { CliIo } from './io.js'
import { local } from './local.js'
import type { CommandContext } from './lookup.js'
import { stats } from './stats.js'
import { chooseStore, openBackend, type StoreChoice } from './store-choice.js'

/** The commands that read or write records; `local` starts DynamoDB Local instead, and opens no store. */
const COMMANDS: Record<Exclude<Command, 'local'>, (context: CommandContext) => Promise<void>> = {
  inspect,
  invalidate,
  stats,
}
const PROGRAM = 'lambda-idempotency'

/** Runs one command line and returns the exit code; every error a user can cause becomes a message, never a trace. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let choice: StoreChoice | undefined
  let backend: RecordBackend | undefined
  try {
    const parsed = parseCommandLine(argv)
    if (parsed.kind === 'help') {
      io.out(USAGE)
      return EXIT.ok
    }
    if (parsed.command === 'local') return await local(parsed.flags, io)
    choice = chooseStore(parsed.flags, io.env)
    backend = await openBackend(choice, io.env)
    await COMMANDS[parsed.command]({ command: parsed.command, flags: parsed.flags, io, backend })
    return EXIT.ok
  } catch (error) {
    return report(error, choice, io)
  } finally {
    await backend?.close().catch(() => undefined)
  }
}

function report(error: unknown, choice: StoreChoice | undefined, io: CliIo): number {
  if (error instanceof CliError) {
    io.err(`${PROGRAM}: ${error.message}`)
    for (const hint of error.hints) io.err(`  ${hint}`)
    if (error instanceof UsageError)
      io.err(error.showUsage ? `\n${USAGE}` : `Run \`${PROGRAM} --help\` for usage.`)
    return error.exitCode
  }
  // The PostgreSQL backend explains its errors itself (a missing table needs one more query to say which part).
  const explained = choice?.kind === 'dynamodb' ? explainAwsError(error, choice.where) : undefined
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

import { type ParseArgsConfig, parseArgs } from 'node:util'
import { UsageError } from './errors.js'

export const USAGE = `Usage: lambda-idempotency <inspect|invalidate|stats> [options]
       lambda-idempotency local [--port N] [--table NAME] [--db-path DIR]

  inspect      What one idempotency key did: state, lease, expiry, fingerprint, result size.
  invalidate   Delete one key's record, so the next request with the key runs the handler again.
  stats        Records by state, age and namespace, over a sample or a full scan.
  local        DynamoDB Local on 127.0.0.1 with the idempotency table, to run your handler on your machine;
               prints the variables to export, and runs until Ctrl-C.

Where the records are (inspect, invalidate, stats):
  --table NAME          the idempotency table (default: $IDEMPOTENCY_TABLE_NAME); PostgreSQL: [schema.]name
  --json                one JSON document on stdout, for scripts
DynamoDB (the default):
  --endpoint URL        e.g. http://localhost:8000 for DynamoDB Local (default: $DYNAMODB_ENDPOINT)
  --region REGION       (default: $AWS_REGION, or your AWS profile's region)
PostgreSQL:
  --database-url URL    postgres://user:password@host:5432/database (default: $DATABASE_URL, when neither
                        --endpoint, --region nor $DYNAMODB_ENDPOINT names DynamoDB)

Which record (inspect, invalidate), either
  --record-key KEY      the hashed record key, as the toolkit's logs and metrics print it
or
  --key KEY             the client's idempotency key (HTTP: the Idempotency-Key header value)
  --namespace NS        the handler's \`namespace\` option, or, when it has none,
  --function NAME       its Lambda function name, with
  --operation OP        its \`operation\` option (default: handler): the namespace is NAME#OP
  and for the HTTP preset, also
  --principal P         the caller: kind:value for iam, lambda, custom, anonymous (iam:arn:aws:iam::1:user/x),
                        or JSON for every kind: '["jwt","<issuer>","<subject>"]'
  --method METHOD       e.g. POST
  --route ROUTE         the route the request matched: 'POST /payments' (HTTP API), '/payments' (REST API),
                        the request path (function URL)

inspect:     --show-result   also print the stored result, decoded
invalidate:  --yes           do not ask for confirmation
             --force         delete even while a lease is live (the handler may be running)
stats:       --sample N      read only the first N items (default: 1000)
             --full          read every item
             --segments N    parallel scan segments, with --full (default: 1; DynamoDB only)
             --page-size N   items per Scan call (rows per query on PostgreSQL), to spread the read load
local:       --port N        (default: 8000)
             --table NAME    the table to create (default: $IDEMPOTENCY_TABLE_NAME, else idempotency)
             --db-path DIR   keep the data in DIR across restarts (default: in memory)
             needs, in your project: npm install -D amplify-dynamodb-simulator, and Java 17+ (a JDK)

Exit codes: 0 done, 1 failed (store error, refused, not confirmed), 2 usage, 3 record not found.`

const COMMON = {
  table: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'database-url': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

const RECORD = {
  'record-key': { type: 'string' },
  key: { type: 'string' },
  namespace: { type: 'string' },
  function: { type: 'string' },
  operation: { type: 'string' },
  principal: { type: 'string' },
  method: { type: 'string' },
  route: { type: 'string' },
} as const

const OPTIONS = {
  inspect: { ...COMMON, ...RECORD, 'show-result': { type: 'boolean' } },
  invalidate: { ...COMMON, ...RECORD, yes: { type: 'boolean', short: 'y' }, force: { type: 'boolean' } },
  stats: {
    ...COMMON,
    sample: { type: 'string' },
    full: { type: 'boolean' },
    segments: { type: 'string' },
    'page-size': { type: 'string' },
  },
  local: {
    port: { type: 'string' },
    table: { type: 'string' },
    'db-path': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
} as const satisfies Record<string, ParseArgsConfig['options']>

export type Command = keyof typeof OPTIONS

/** Every option of every command; a command's parse only ever fills its own. */
export interface Flags {
  readonly [name: string]: string | boolean | undefined
}

export type Parsed = { readonly kind: 'help' } | { readonly kind: 'run'; command: Command; flags: Flags }

export function parseCommandLine(argv: readonly string[]): Parsed {
  const [command, ...rest] = argv
  if (command === undefined)
    throw new UsageError('Give a command: inspect, invalidate, stats or local.', true)
  if (command === '--help' || command === '-h' || command === 'help') return { kind: 'help' }
  if (!Object.hasOwn(OPTIONS, command))
    throw new UsageError(`Unknown command "${command}": use inspect, invalidate, stats or local.`)
  let values: Flags
  try {
    const options: ParseArgsConfig['options'] = OPTIONS[command as Command]
    values = parseArgs({ args: [...rest], options, strict: true }).values as Flags
  } catch (error) {
    // parseArgs names the offending option; its code says the error is the user's, not ours.
    if (!String((error as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) throw error
    throw new UsageError(`${command}: ${(error as Error).message}`)
  }
  if (values.help) return { kind: 'help' }
  return { kind: 'run', command: command as Command, flags: values }
}

export function text(flags: Flags, name: string): string | undefined {
  const value = flags[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

export const flag = (flags: Flags, name: string): boolean => flags[name] === true

/** A whole number of 1 or more, or undefined when the option is absent. */
export function count(flags: Flags, name: string): number | undefined {
  const value = text(flags, name)
  if (value === undefined) return undefined
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--${name} needs a whole number, 1 or more.`)
  return Number(value)
}

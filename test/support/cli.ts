import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { expect, inject } from 'vitest'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const CLI_SOURCE = join(repoRoot, 'lib/cli/main.ts')

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface CliOptions {
  /** Merged over this process's environment; `undefined` removes a variable. */
  readonly env?: Record<string, string | undefined>
  /** Written to stdin, which is then closed; without it stdin is closed at once (no terminal, no answer). */
  readonly input?: string
  /** Peer packages left out of the bundle, so the CLI runs as in a project that lacks them. */
  readonly without?: readonly string[]
}

/**
 * The CLI as one esbuild bundle (the SDK and pg included), built once per test file: tsx compiles every module on
 * each start, which on a loaded machine costs seconds per run; the bundle starts like the published bin. A
 * bundle `without` some peers imports them at run time from a temp folder, where no node_modules has them.
 */
const bundles = new Map<string, Promise<string>>()
function cliBundle(without: readonly string[] = []): Promise<string> {
  const name = [...without].sort().join(',')
  const existing = bundles.get(name)
  if (existing !== undefined) return existing
  const bundled = (async () => {
    const outfile = join(await mkdtemp(join(tmpdir(), 'lambda-idempotency-cli-')), 'cli.mjs')
    await build({
      entryPoints: [CLI_SOURCE],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      logLevel: 'warning',
      external: [...without],
      // Bundled CommonJS (the SDK's dependencies) calls require for Node built-ins; ESM has no require.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    })
    return outfile
  })()
  bundles.set(name, bundled)
  return bundled
}

/**
 * Environment for a run against the test DynamoDB Local: its endpoint, and no AWS account or database of the
 * developer's (a DATABASE_URL would choose PostgreSQL when no endpoint is named).
 */
export function localEnv(): Record<string, string | undefined> {
  return {
    DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    DATABASE_URL: undefined,
    IDEMPOTENCY_TABLE_NAME: undefined,
    AWS_PROFILE: undefined,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
}

/** Starts `lambda-idempotency <args>`; the caller talks to it through stdin and waits for `done`. */
export async function startCli(args: readonly string[], options: Omit<CliOptions, 'input'> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...localEnv(), ...options.env }
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [await cliBundle(options.without), ...args],
    {
      cwd: repoRoot,
      env,
    },
  )
  let stdout = ''
  let stderr = ''
  const stderrWaiters: { text: string; resolve: () => void }[] = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
    for (const waiter of stderrWaiters.filter((w) => stderr.includes(w.text))) waiter.resolve()
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
  return {
    done,
    /** Resolves once stderr has shown `text` (a prompt). */
    stderrShows: (text: string) =>
      new Promise<void>((resolve) => {
        if (stderr.includes(text)) resolve()
        else stderrWaiters.push({ text, resolve })
      }),
    /** Types `line` and Enter, then closes stdin. */
    answer: (line: string) => child.stdin.end(`${line}\n`),
    /** Closes stdin without a word, as a pipe or /dev/null would. */
    close: () => child.stdin.end(),
  }
}

export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const cli = await startCli(args, options)
  if (options.input === undefined) cli.close()
  else cli.answer(options.input)
  return cli.done
}

/** A port nothing listens on: bound by us, then released. */
export function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** A user's mistake gets one line on stderr, the exit code scripts branch on, and no stack trace. */
export function expectOneLineError(result: CliResult, code: number, ...phrases: (string | RegExp)[]) {
  expect(result.code).toBe(code)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  for (const phrase of phrases) expect(result.stderr).toMatch(phrase)
}

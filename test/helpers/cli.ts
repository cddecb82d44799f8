import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { inject } from 'vitest'

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
}

/**
 * The CLI as one esbuild bundle (the SDK included), built once per test file: tsx compiles every module on
 * each start, which on a loaded machine costs seconds per run; the bundle starts like the published bin.
 */
let bundled: Promise<string> | undefined
function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(await mkdtemp(join(tmpdir(), 'lambda-idempotency-cli-')), 'cli.mjs')
    await build({
      entryPoints: [CLI_SOURCE],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      logLevel: 'warning',
      // Bundled CommonJS (the SDK's dependencies) calls require for Node built-ins; ESM has no require.
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    })
    return outfile
  })()
  return bundled
}

/** Environment for a run against the test DynamoDB Local: its endpoint, and no AWS account of the developer's. */
export function localEnv(): Record<string, string | undefined> {
  return {
    DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    IDEMPOTENCY_TABLE_NAME: undefined,
    AWS_PROFILE: undefined,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }
}

/** Starts `lambda-idempotency <args>`; the caller talks to it through stdin and waits for `done`. */
export async function startCli(args: readonly string[], options: Omit<CliOptions, 'input'> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...localEnv(), ...options.env }
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [await cliBundle(), ...args], {
    cwd: repoRoot,
    env,
  })
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

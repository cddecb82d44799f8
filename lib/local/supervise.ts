/**
 * Child processes that cannot outlive this one: DynamoDB Local (the `lambda-idempotency local` command, the testing
 * helpers, the repository's own scripts) and PostgreSQL (scripts/postgres-local.ts). Moved here from scripts/ so the
 * published CLI supervises java the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { sleep } from '../backoff.js'

export interface Supervised {
  /** The command's own pid (not the shell's); 0 if the shell never started it. */
  pid: Promise<number>
  /** Settles when the command has exited and been reaped, whether stopped or crashed. */
  exited: Promise<void>
  /** SIGTERM, then SIGKILL after the grace period; resolves once the command is gone. Idempotent. */
  stop(): Promise<void>
}

const GRACE_SECONDS = 3

export interface SuperviseOptions {
  cwd?: string
  onLine: (line: string) => void
  env?: NodeJS.ProcessEnv
  /** How the command is asked to stop before the grace period ends in SIGKILL. @default 'TERM' */
  stopSignal?: 'TERM' | 'INT'
  /** Runs shell and command as this user (PostgreSQL refuses to run as root). */
  user?: { uid: number; gid: number }
}

// The command never sees the parent: it runs under this shell, whose stdin is a pipe from the parent. The kernel
// closes that pipe however the parent dies, SIGKILL included, so `read` returns and the shell stops the command.
// A SIGTERM to the shell is the orderly stop; the parent then escalates itself, so the shell only escalates
// (after its own grace period) on EOF, when nobody else is left to do it. The command is asked to stop with
// $STOP_SIGNAL: TERM for most, INT for PostgreSQL, whose TERM waits for every client to disconnect.
const WRAPPER = `"$0" "$@" </dev/null 3>&- &
pid=$!
trap 'stopping=1; kill -$STOP_SIGNAL $pid 2>/dev/null' TERM INT HUP
echo "$pid" >&3
exec 3>&-
read -r _ || :
if [ -z "$stopping" ]; then
  kill -$STOP_SIGNAL $pid 2>/dev/null
  (sleep ${GRACE_SECONDS}; kill -KILL $pid 2>/dev/null) </dev/null >/dev/null 2>&1 &
  killer=$!
fi
while :; do wait $pid; status=$?; [ $status -gt 128 ] && kill -0 $pid 2>/dev/null || break; done
[ -n "$killer" ] && kill $killer 2>/dev/null
exit $status`

/** Runs `command` so that it cannot outlive this process; see WRAPPER. */
export function superviseInShell(command: string, args: string[], options: SuperviseOptions): Supervised {
  // detached gives shell and command their own process group: a terminal Ctrl-C reaches only this process,
  // which stops them in order, and the group can be SIGKILLed as a whole.
  const shell = spawn('sh', ['-c', WRAPPER, command, ...args], {
    cwd: options.cwd,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, STOP_SIGNAL: options.stopSignal ?? 'TERM' },
    uid: options.user?.uid,
    gid: options.user?.gid,
  })
  readLines(shell.stdout, options.onLine)
  readLines(shell.stderr, options.onLine)
  const exited = new Promise<void>((resolve) => {
    shell.once('exit', () => resolve())
    // Without a pid the shell never started, and no exit event will follow.
    shell.once('error', () => shell.pid === undefined && resolve())
  })
  const pid = new Promise<number>((resolve) => {
    const pidPipe = shell.stdio[3] as Readable
    readLines(pidPipe, (line) => resolve(Number(line)))
    pidPipe.once('close', () => resolve(0))
  })
  live.add(shell)
  exited.then(() => live.delete(shell))
  registerExitHandlers()
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= pid.then((commandPid) => stopShell(shell, exited, commandPid))
    return stopping
  }
  return { pid, exited, stop }
}

async function stopShell(shell: ChildProcess, exited: Promise<void>, commandPid: number): Promise<void> {
  if (isRunning(shell)) shell.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), GRACE_SECONDS * 1000)
  })
  const graceful = await Promise.race([exited.then(() => true), expired])
  clearTimeout(timer)
  // While the shell lives, or anything else in its group does, the group id cannot be reused by another process.
  if (!graceful && isRunning(shell)) killGroup(shell)
  await exited
  // A shell killed by a signal never reaped the command, which may live on orphaned in the group.
  if (shell.signalCode !== null) killGroup(shell)
  for (let i = 0; i < 100 && commandPid && isAlive(commandPid); i++) await sleep(20)
}

function killGroup(shell: ChildProcess): void {
  try {
    if (shell.pid) process.kill(-shell.pid, 'SIGKILL')
  } catch {}
}

const live = new Set<ChildProcess>()
let exitHandlersRegistered = false

// The shells would stop their commands on their own once this process is gone; telling them here as well
// lets the commands shut down before their output pipes close, and needs only synchronous calls.
function registerExitHandlers(): void {
  if (exitHandlersRegistered) return
  exitHandlersRegistered = true
  const stopAll = () => {
    for (const shell of live) if (isRunning(shell)) shell.kill('SIGTERM')
  }
  process.on('exit', stopAll)
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      stopAll()
      // A listener switches off Node's default of dying on the signal; restore it unless someone else handles it.
      if (process.listenerCount(name) === 1) {
        process.removeListener(name, onSignal)
        process.kill(process.pid, name)
      }
    }
    process.on(name, onSignal)
  }
}

/** True while `pid` names a process that has not exited; a zombie has, it only waits to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return process.platform !== 'linux'
  }
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

function readLines(stream: Readable | null, onLine: (line: string) => void): void {
  let buffer = ''
  stream?.setEncoding('utf8')
  stream?.on('data', (chunk: string) => {
    const lines = (buffer + chunk).split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) onLine(line.trimEnd())
  })
}

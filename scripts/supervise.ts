import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export { sleep } from '../lib/backoff.js'
// The supervision itself lives in lib/local (the `lambda-idempotency local` command uses it too).
export {
  isAlive,
  type Supervised,
  type SuperviseOptions,
  superviseInShell,
} from '../lib/local/supervise.js'

/** Whether the module at `moduleUrl` is the script node was started with, not one imported by another. */
export function isMainModule(moduleUrl: string): boolean {
  try {
    const script = process.argv[1]
    return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(moduleUrl))
  } catch {
    return false
  }
}

/** Keeps a local server in the foreground until Ctrl-C or SIGTERM stops it; exits 1 if it dies on its own. */
export async function serveUntilStopped(
  name: string,
  server: { stop(): Promise<void>; readonly exited: Promise<unknown> },
): Promise<void> {
  console.log('Press Ctrl-C to stop.')
  let stopping = false
  const shutdown = async () => {
    stopping = true
    await server.stop()
    console.log(`${name} stopped.`)
    process.exit(0)
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  await server.exited
  if (stopping) return
  console.error(`${name} exited unexpectedly.`)
  process.exit(1)
}

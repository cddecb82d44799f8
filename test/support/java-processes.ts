import { readdirSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { sleep } from '../../lib/backoff.js'
import { isAlive } from '../../lib/local/supervise.js'

/**
 * The java processes running the loopback launcher (lib/local/launcher.ts) on `port`, from /proc: a test that
 * only has a CLI's node process finds the java it must see stopped.
 */
export function javaPidsOn(port: number): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let args: string[]
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
    } catch {
      continue
    }
    const launcher = args.findIndex((arg) => arg.endsWith('LoopbackDynamoDBLocal.java'))
    if (launcher > 0 && basename(args[0] ?? '') === 'java' && args[launcher + 1] === String(port))
      pids.push(Number(entry))
  }
  return pids
}

export async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    if (!isAlive(pid)) return true
  }
  return false
}

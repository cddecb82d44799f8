import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * Binds `port` (0: one the kernel picks) on every interface, as DynamoDB Local will, then releases it. The
 * port is free at that moment, not reserved; `listensOn` catches the rare process that takes it in between.
 */
export function probePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} is already in use; pass another or none to get a free one`)
          : error,
      ),
    )
    server.listen(port, () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port assigned')),
      )
    })
  })
}

/**
 * Whether `pid` owns the socket listening on `port`; undefined where /proc cannot tell. DynamoDB Local does not
 * exit when its port is taken, it idles, so an answer on the port alone does not prove it is ours.
 */
export function listensOn(pid: number, port: number): boolean | undefined {
  try {
    if (!existsSync('/proc/net/tcp')) return undefined
    const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
    const listeners = new Set<string>()
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const rows = existsSync(table) ? readFileSync(table, 'utf8').split('\n').slice(1) : []
      for (const row of rows) {
        const [, local, , state, , , , , , inode] = row.trim().split(/\s+/)
        if (local?.endsWith(hexPort) && state === TCP_LISTEN && inode) listeners.add(`socket:[${inode}]`)
      }
    }
    return readdirSync(`/proc/${pid}/fd`).some((fd) =>
      listeners.has(readlinkQuietly(`/proc/${pid}/fd/${fd}`)),
    )
  } catch {
    return undefined
  }
}

const TCP_LISTEN = '0A'

function readlinkQuietly(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return ''
  }
}

import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer } from 'node:net'

/** The only address DynamoDB Local is bound to here: nothing on the network can reach it. */
export const LOOPBACK = '127.0.0.1'

/**
 * Binds `port` (0: one the kernel picks) on the loopback address, as the launcher will, then releases it. The port
 * is free at that moment, not reserved; `listensOn` catches the rare process that takes it in between.
 */
export function probeLoopbackPort(port = 0): Promise<number> {
  return probePort(port, LOOPBACK)
}

/**
 * Binds `port` (0: one the kernel picks) on `host`, every interface when it is left out, then releases it, for a
 * local server to take. The port is free at that moment, not reserved: a server that finds it taken says so.
 */
export function probePort(port = 0, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} is already in use; pass another or none to get a free one`)
          : error,
      ),
    )
    server.listen(port, host, () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port assigned')),
      )
    })
  })
}

/** One listening socket on a port: its local address as /proc/net/tcp{,6} shows it, and its inode. */
export interface Listener {
  /** Dotted IPv4 (`127.0.0.1`, `0.0.0.0`), or IPv6 in /proc's 32 hex digits when it is not IPv4-mapped. */
  readonly address: string
  readonly inode: string
}

/** Every socket listening on `port`, from /proc; undefined where there is no /proc (not Linux). */
export function listenersOn(port: number): Listener[] | undefined {
  if (!existsSync('/proc/net/tcp')) return undefined
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const listeners: Listener[] = []
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = existsSync(table) ? readFileSync(table, 'utf8').split('\n').slice(1) : []
    for (const row of rows) {
      const [, local, , state, , , , , , inode] = row.trim().split(/\s+/)
      const [hexAddress, rowPort] = local?.split(':') ?? []
      if (rowPort === hexPort && state === TCP_LISTEN && hexAddress && inode)
        listeners.push({ address: readableAddress(hexAddress), inode })
    }
  }
  return listeners
}

/**
 * The addresses `pid` listens on at `port`; undefined where /proc cannot tell. An empty list means another process
 * holds the port: DynamoDB Local's own launcher idles instead of exiting when its port is taken, so an answer on
 * the port alone does not prove it is ours.
 */
export function listenAddresses(pid: number, port: number): string[] | undefined {
  try {
    const listeners = listenersOn(port)
    if (listeners === undefined) return undefined
    const sockets = new Set(
      readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkQuietly(`/proc/${pid}/fd/${fd}`)),
    )
    return listeners.filter(({ inode }) => sockets.has(`socket:[${inode}]`)).map(({ address }) => address)
  } catch {
    return undefined
  }
}

/** Whether `pid` owns a socket listening on `port`; undefined where /proc cannot tell. */
export function listensOn(pid: number, port: number): boolean | undefined {
  const addresses = listenAddresses(pid, port)
  return addresses === undefined ? undefined : addresses.length > 0
}

const TCP_LISTEN = '0A'
/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) in /proc/net/tcp6: Java binds IPv4 addresses this way. */
const V4_MAPPED = /^0{16}FFFF0000([0-9A-F]{8})$/

/** /proc prints an IPv4 address as one little-endian hex word (127.0.0.1 is 0100007F). */
function readableAddress(hex: string): string {
  const v4 = hex.length === 8 ? hex : V4_MAPPED.exec(hex)?.[1]
  if (v4 === undefined) return hex
  return [6, 4, 2, 0].map((at) => Number.parseInt(v4.slice(at, at + 2), 16)).join('.')
}

function readlinkQuietly(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return ''
  }
}

import { createServer } from 'node:net'

/**
 * Binds `port` (0: one the kernel picks) on every interface, then releases it, for a local server to take. The
 * port is free at that moment, not reserved: a server that finds it taken says so when it starts.
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

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

import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'

export interface RawAnswer {
  readonly status: number
  readonly head: string
  readonly contentType: string | undefined
  readonly body: string
}

/**
 * Sends bytes no well-behaved client would (control characters, raw UTF-8 in headers, repeated lines) and reads
 * the answer until the server closes: fetch refuses to send most of the corpus.
 */
export function rawRequest(
  url: string,
  lines: readonly (string | Buffer)[],
  body = Buffer.alloc(0),
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url)
  const head = Buffer.concat([
    ...lines.map((line) => Buffer.concat([Buffer.from(line as string, 'latin1'), Buffer.from('\r\n')])),
    Buffer.from(`Host: ${hostname}:${port}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`),
  ])
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    // No half-close: a server may take a client's FIN for a hang-up and drop the answer. It closes after answering.
    const socket = connect(Number(port), hostname, () => socket.write(Buffer.concat([head, body])))
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [answerHead = '', ...rest] = text.split('\r\n\r\n')
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answerHead)?.[1])
      const contentType = /^content-type: *(.+)$/im.exec(answerHead)?.[1]?.trim()
      resolve({ status, head: answerHead, contentType, body: rest.join('\r\n\r\n') })
    })
  })
}

/**
 * One request with the Host header of our choosing, which fetch will not send: a DNS-rebinding page's requests
 * reach 127.0.0.1 carrying its own host name.
 */
export function requestWithHost(
  url: string,
  request: { readonly method: string; readonly path: string; readonly host: string; readonly body?: string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(`${url}${request.path}`, {
      method: request.method,
      headers: { Host: request.host, 'Content-Type': 'application/json' },
    })
    sent.on('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          head: JSON.stringify(response.headers),
          contentType: response.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
    })
    sent.on('error', reject)
    sent.end(request.body)
  })
}

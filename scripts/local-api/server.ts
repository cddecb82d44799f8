import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Context } from 'aws-lambda'
import { sampleProblem } from '../../functions/shared/problems.js'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { CONSOLE_STATE_PATH } from './console/routes.js'
import { httpApiEvent, sendResult } from './http-api-event.js'
import { lambdaContext } from './lambda-context.js'
import { type LocalRouteContext, localRoute } from './local-routes.js'
import { type LocalProblemCode, localProblem, rawLocalProblem } from './problems.js'

export type LambdaHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>

export interface LambdaRoute {
  readonly method: string
  /** An HTTP API route path, `{name}` marking a path parameter: `/payments/{paymentId}`. */
  readonly path: string
  readonly functionName: string
  readonly handler: LambdaHandler
}

/** API Gateway's own payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024

/**
 * The answers a client gets where no function ran, in API Gateway's cases, as problem+json like every other
 * refusal it sees (API Gateway's own texts are `{"message": ...}`; a client should not need two parsers).
 */
const NOT_FOUND = localProblem('route-not-found')
const TOO_LARGE = localProblem('payload-too-large')
const LAMBDA_FAILED = localProblem('function-failed')

/** What Node's HTTP parser refuses before any request exists, by its error code; anything else is a 400. */
const PARSER_REFUSALS: Readonly<Record<string, LocalProblemCode>> = {
  HPE_HEADER_OVERFLOW: 'headers-too-large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'payload-too-large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request-timeout',
}

/**
 * An HTTP server in front of Lambda handlers, playing API Gateway's HTTP API with a JWT authorizer. Locally the
 * bearer token is taken as the user id (`sub`); deployed, the authorizer verifies a real JWT.
 */
export function createApiServer(options: {
  routes: readonly LambdaRoute[]
  local: LocalRouteContext
  log: (line: string) => void
}): { server: Server; drain(): Promise<void> } {
  const matchers = options.routes.map((route) => ({ route, pattern: routePattern(route.path) }))
  const inFlight = new Set<Promise<void>>()

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedEpochMs = Date.now()
    const method = request.method ?? 'GET'
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const body = await readBody(request)
    const result =
      body === undefined
        ? TOO_LARGE
        : ((await localRoute(
            { method, path: url.pathname, query: url.searchParams, body, host: request.headers.host },
            options.local,
          )) ?? (await invoke(request, method, url, body)))
    sendResult(response, result)
    // The console's poll would bury the API's own requests under one line a second.
    if (url.pathname === CONSOLE_STATE_PATH) return
    const replayed = Object.keys(result.headers ?? {}).some((name) => /^idempotent-replayed$/i.test(name))
      ? ' (replayed)'
      : ''
    const gone = response.destroyed && !response.writableFinished ? ' (client gone)' : ''
    options.log(
      `${method} ${url.pathname} ${result.statusCode}${replayed}${gone} ${Date.now() - startedEpochMs} ms`,
    )
  }

  async function invoke(
    request: IncomingMessage,
    method: string,
    url: URL,
    body: Buffer,
  ): Promise<HttpResult> {
    const matched = match(method, url.pathname)
    if (matched === undefined) return NOT_FOUND
    const subject = bearerToken(request.headers.authorization)
    if (subject === undefined) {
      return sampleProblem(
        'unauthorized',
        'Send `Authorization: Bearer <token>`; locally the token is your user id.',
        {
          headers: { 'WWW-Authenticate': 'Bearer' },
        },
      )
    }
    const { route, pathParameters } = matched
    const routeKey = `${route.method} ${route.path}`
    const event = httpApiEvent(request, url, body, { routeKey, pathParameters }, subject)
    // The console ties what the handler reports to the key this request sent; only this memory sees it.
    const sentKey = request.headers['idempotency-key']
    const sent =
      sentKey === undefined ? undefined : { user: subject, idempotencyKey: [sentKey].flat().join(', ') }
    try {
      return await options.local.console.recorder.during(sent, () =>
        route.handler(event, lambdaContext(route.functionName)),
      )
    } catch (error) {
      options.log(`${routeKey} failed: ${(error as Error).stack ?? String(error)}`)
      return LAMBDA_FAILED
    }
  }

  function match(method: string, path: string) {
    for (const { route, pattern } of matchers) {
      const found = route.method === method ? pattern.exec(path) : null
      if (found) return { route, pathParameters: found.groups && decodeAll(found.groups) }
    }
    return undefined
  }

  const server = createServer((request, response) => {
    const served = serve(request, response).catch((error: unknown) => {
      options.log(`local API error: ${String(error)}`)
      sendResult(response, LAMBDA_FAILED)
    })
    inFlight.add(served)
    served.finally(() => inFlight.delete(served))
  })
  // Node answers these itself with a bare status line (a 431 with no body); this writes the same refusal as
  // problem+json instead, straight to the socket, as there is no request or response object to answer with.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const code = PARSER_REFUSALS[error.code ?? ''] ?? 'malformed-request'
    options.log(`refused before any route: ${code} (${error.code ?? error.message})`)
    socket.end(rawLocalProblem(code))
  })
  // Like a Lambda behind API Gateway, an invocation runs to its end even when its client has hung up.
  return { server, drain: async () => void (await Promise.all(inFlight)) }
}

/** Accepts `Bearer <token>` with a token of visible ASCII, as a JWT authorizer would before checking it. */
function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer +([\x21-\x7e]+) *$/i.exec(authorization ?? '')?.[1]
}

function routePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1]
      return name === undefined ? escapeRegExp(part) : `(?<${name}>[^/]+)`
    })
    .join('/')
  return new RegExp(`^${source}$`)
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function decodeAll(groups: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(groups).map(([name, value]) => [name, safeDecode(value)]))
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** The whole body, or undefined once it passes API Gateway's limit. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (bytes > MAX_BODY_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

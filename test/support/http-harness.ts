import { randomUUID } from 'node:crypto'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { vi } from 'vitest'
import {
  type HttpEvent,
  type HttpIdempotencyOptions,
  type HttpResult,
  httpIdempotency,
  makeHttpIdempotent,
} from '../../lib/http/index.js'
import { lambdaContext } from './records.js'

type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResult>
type Wrap = (handler: HttpHandler, options: HttpIdempotencyOptions) => HttpHandler

/** Both ways to use the preset; every contract test runs through each. */
export const wrappers: [string, Wrap][] = [
  [
    'through Middy',
    (handler, options) => middy<HttpEvent, HttpResult>(handler).use(httpIdempotency(options)),
  ],
  ['through makeHttpIdempotent', (handler, options) => makeHttpIdempotent(handler, options)],
]

export const silent = { warn: () => undefined }

/** A payment-like handler: a new paymentId per execution, so a replayed body proves it was stored. */
export async function createdPayment(event: HttpEvent): Promise<HttpResult> {
  const paymentId = randomUUID()
  return {
    statusCode: 201,
    headers: {
      'Content-Type': 'application/json',
      Location: `/payments/${paymentId}`,
      'Set-Cookie': 'session=secret-cookie; HttpOnly',
      'Cache-Control': 'no-store',
      'X-Request-Id': randomUUID(),
    },
    body: JSON.stringify({ paymentId, request: event.body ?? null }),
  }
}

/** Wraps `respond` with the preset; `runs` counts executions of the handler body. */
export function wrapHandler(
  wrap: Wrap,
  options: HttpIdempotencyOptions,
  respond: HttpHandler = createdPayment,
  remainingMs = 10_000,
) {
  const runs = vi.fn(respond)
  const handler = wrap(runs, { logger: silent, ...options })
  const invoke = (event: HttpEvent) => handler(event, lambdaContext(remainingMs) as unknown as Context)
  return { runs, invoke }
}

/** A handler that stays in flight until `finish()` is called, for concurrent duplicates. */
export function gatedHandler(result: HttpResult = { statusCode: 201, body: '{"paymentId":"p-1"}' }) {
  let open: (answer: HttpResult) => void = () => undefined
  const gate = new Promise<HttpResult>((resolve) => {
    open = resolve
  })
  return { respond: () => gate, finish: (answer: HttpResult = result) => open(answer) }
}

/** A fresh Idempotency-Key and caller per test, so tests share one table without meeting. */
export const freshKey = () => randomUUID()
export const freshUser = () => `user-${randomUUID()}`

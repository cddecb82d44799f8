import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HttpResult } from '../../lib/http/index.js'
import { ConsoleRecorder } from '../../scripts/local-api/console/recorder.js'
import type { LocalRouteContext } from '../../scripts/local-api/local-routes.js'
import { createApiServer } from '../../scripts/local-api/server.js'
import { apiClient, freshKey, startTestApi, type TestApi } from '../support/local-api.js'
import { type RawAnswer, rawRequest, requestWithHost } from '../support/raw-http.js'

/**
 * What the local API answers by itself, where no function ran (no route, a body or headers past the limits,
 * bytes that are not HTTP, a foreign Host on /_local, a function that threw): problem+json, as the toolkit's
 * and the functions' own refusals are, with a type documented in functions/problems.md.
 */
let api: TestApi

beforeAll(async () => {
  api = await startTestApi({ events: true })
})
afterAll(() => api?.stop())

const TYPE_BASE = 'https://github.com/lambda-idempotency/lambda-idempotency/blob/main/functions/problems.md#'

function expectProblem(answer: RawAnswer, status: number, code: string) {
  expect(answer.status, answer.head).toBe(status)
  expect(answer.contentType).toBe('application/problem+json')
  const problem = JSON.parse(answer.body)
  expect(problem).toMatchObject({ status, type: `${TYPE_BASE}${code}` })
  expect(problem.title).not.toBe('')
  expect(problem.detail).not.toBe('')
  return problem
}

const post = (lines: readonly string[], body = Buffer.from('{"amount":100,"currency":"INR"}')) =>
  rawRequest(
    api.url,
    ['POST /payments HTTP/1.1', 'Authorization: Bearer asha', 'Content-Type: application/json', ...lines],
    body,
  )

describe('the local API’s own answers', () => {
  it('answers a body over 10 MB with 413 problem+json', async () => {
    const tooLarge = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)
    expectProblem(await post([`Idempotency-Key: ${freshKey()}`], tooLarge), 413, 'payload-too-large')
  })

  it('answers a 20,000-character Idempotency-Key, which Node refuses before any route, with 431 problem+json', async () => {
    const problem = expectProblem(
      await post([`Idempotency-Key: ${'k'.repeat(20_000)}`]),
      431,
      'headers-too-large',
    )
    expect(problem.detail).toMatch(/255 characters/)
  })

  it('answers bytes that are not HTTP with 400 problem+json, and keeps serving', async () => {
    const answer = await rawRequest(api.url, ['POST /payments HTTP/1.1', 'Bad Header\u0001: x'])
    expectProblem(answer, 400, 'malformed-request')
    expect((await apiClient(api.url).pay({ key: freshKey() })).status).toBe(201)
  })

  it('answers a route that does not exist with 404 problem+json, under /_local too', async () => {
    for (const path of ['/nowhere', '/payments/pay_1/refunds', '/_local/no-such-route']) {
      const answer = await requestWithHost(api.url, { method: 'GET', path, host: new URL(api.url).host })
      expectProblem(answer, 404, 'route-not-found')
    }
  })

  it('answers a local switch sent a body it cannot read with 400 problem+json', async () => {
    for (const path of ['/_local/gateway/faults', '/_local/outbox/faults', '/_local/payouts/crashes']) {
      const answer = await requestWithHost(api.url, {
        method: 'POST',
        path,
        host: new URL(api.url).host,
        body: '{"failNext":-1}',
      })
      expectProblem(answer, 400, 'local-request-invalid')
    }
  })
})

describe('the local API’s server in front of functions', () => {
  const routes: { path: string; handler: () => Promise<HttpResult> }[] = [
    {
      path: '/throws',
      handler: async () => {
        throw new Error('arn:aws:iam::123456789012:role/secret went wrong')
      },
    },
    {
      path: '/own-answers',
      handler: async () => ({ statusCode: 503, headers: { 'Content-Type': 'text/plain' }, body: 'mine' }),
    },
  ]
  const logs: string[] = []
  let url: string
  let stop: () => Promise<void>

  beforeAll(async () => {
    const { server } = createApiServer({
      routes: routes.map(({ path, handler }) => ({ method: 'POST', path, functionName: path, handler })),
      local: { console: { recorder: new ConsoleRecorder() } } as unknown as LocalRouteContext,
      log: (line) => logs.push(line),
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    stop = () => new Promise((resolve) => server.close(() => resolve()))
  })
  afterAll(() => stop?.())

  const send = (path: string) => rawRequest(url, [`POST ${path} HTTP/1.1`, 'Authorization: Bearer asha'])

  it('answers a function that threw with 500 problem+json, its error in the log and not in the answer', async () => {
    const answer = await send('/throws')
    expectProblem(answer, 500, 'function-failed')
    expect(answer.body).not.toContain('123456789012')
    expect(logs.some((line) => line.includes('123456789012'))).toBe(true)
  })

  it("passes a function's own 4xx and 5xx through untouched", async () => {
    const answer = await send('/own-answers')
    expect(answer).toMatchObject({ status: 503, contentType: 'text/plain', body: 'mine' })
  })
})

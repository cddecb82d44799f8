import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  DurableExecutionConflictError,
  DurableExecutionUnavailableError,
  OperationNotFoundError,
} from '../../lib/durable/index.js'
import { idempotencyProblem, problemResponse } from '../../lib/http/index.js'
import { DEFAULT_PROBLEM_TYPE_BASE, STORE_UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../lib/http/problem.js'
import {
  IdempotencyCompletionRejectedError,
  type IdempotencyError,
  IdempotencyInProgressError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyMissingError,
  IdempotencyLeaseLostError,
  IdempotencyPayloadMismatchError,
  IdempotencyPrincipalMissingError,
  IdempotencyPrincipalUnresolvedError,
  IdempotencyResultNotStoredError,
  IdempotencyStoreUnavailableError,
} from '../../lib/index.js'
import { headerOf } from '../support/http-events.js'

const everyError: [IdempotencyError, number][] = [
  [new IdempotencyKeyMissingError(), 400],
  [new IdempotencyKeyInvalidError('The Idempotency-Key header is empty.'), 400],
  [new IdempotencyPrincipalMissingError(), 401],
  [new IdempotencyPrincipalUnresolvedError('its caller is a shared role session'), 500],
  [new IdempotencyInProgressError(2_500), 409],
  [new IdempotencyLeaseLostError('complete'), 409],
  [new IdempotencyPayloadMismatchError(), 422],
  [new IdempotencyResultNotStoredError('412000 bytes of JSON'), 500],
  [new IdempotencyStoreUnavailableError('acquire', new Error('boom')), 503],
  [
    new IdempotencyCompletionRejectedError(
      true,
      new Error('Item size has exceeded the maximum allowed size'),
    ),
    500,
  ],
  [new DurableExecutionConflictError(), 422],
  [new DurableExecutionUnavailableError('start', new Error('TooManyRequestsException')), 503],
  [new OperationNotFoundError(), 404],
]

describe('problem+json answers', () => {
  it('renders an RFC 9457 body with its own content type and extra headers', () => {
    const response = problemResponse({
      status: 402,
      type: 'https://example.com/problems/card-declined',
      title: 'Card declined',
      detail: 'Use another card.',
      headers: { 'Retry-After': '3' },
    })
    expect(response.statusCode).toBe(402)
    expect(headerOf(response, 'content-type')).toBe('application/problem+json')
    expect(headerOf(response, 'retry-after')).toBe('3')
    expect(JSON.parse(response.body as string)).toEqual({
      type: 'https://example.com/problems/card-declined',
      title: 'Card declined',
      status: 402,
      detail: 'Use another card.',
    })
  })

  it.each(everyError)('maps %s to its status, a documented type URI and a title', (error, status) => {
    const problem = idempotencyProblem(error)
    expect(problem.status).toBe(status)
    expect(problem.type).toBe(`${DEFAULT_PROBLEM_TYPE_BASE}${error.code}`)
    expect(problem.title).not.toBe('')
    expect(problem.detail).not.toBe('')
  })

  it('documents every type URI as an anchor in docs/problems.md', () => {
    const docs = readFileSync(new URL('../../docs/problems.md', import.meta.url), 'utf8')
    // GitHub derives the anchor of a heading `## key-missing` from its text: #key-missing.
    const anchors = [...docs.matchAll(/^## ([a-z-]+)\s*$/gm)].map((match) => match[1])
    for (const [error] of everyError) expect(anchors).toContain(error.code)
  })

  it('tells an in-flight duplicate when to retry, from the remaining lease', () => {
    const problem = idempotencyProblem(new IdempotencyInProgressError(2_500))
    expect(problem.headers).toEqual({ 'Retry-After': '3' })
  })

  it('tells a client of an unavailable store when to retry, without leaking the SDK error', () => {
    const cause = new Error('User: arn:aws:sts::123456789012:assumed-role/app is not authorized')
    const problem = idempotencyProblem(new IdempotencyStoreUnavailableError('acquire', cause))
    expect(problem.headers).toEqual({ 'Retry-After': String(STORE_UNAVAILABLE_RETRY_AFTER_SECONDS) })
    expect(problem.detail).not.toContain('123456789012')
  })

  it("answers a caller that cannot be told apart with fixed text, keeping the operator's reason out", () => {
    const error = new IdempotencyPrincipalUnresolvedError(
      'its caller is the role session arn:aws:sts::123456789012:assumed-role/R/CognitoIdentityCredentials',
    )
    const problem = idempotencyProblem(error)
    expect(error.message).toContain('`principal` option')
    expect(problem.title).toBe('Caller could not be identified')
    expect(problem.detail).not.toContain('123456789012')
    expect(problem.detail).not.toContain('principal')
  })

  it('tells a client whose completion was refused that nothing was kept, without the store error', () => {
    const cause = new Error(
      'Requested resource not found: Table: arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
    )
    const problem = idempotencyProblem(new IdempotencyCompletionRejectedError(true, cause))
    expect(problem).toMatchObject({ status: 500, title: 'Request could not be recorded' })
    expect(problem.detail).toContain('none of them was kept')
    expect(problem.detail).not.toContain('123456789012')
  })

  it('answers an error from another copy of the package, with a code this copy does not know, without leaking its 5xx message', () => {
    // An app that bundles two versions (a library's own copy, say) shares the brand, so this copy's HTTP preset
    // answers the other's errors: a code added in the other version has no title or fixed text here.
    const foreign = Object.assign(
      new Error('Quota exceeded for arn:aws:dynamodb:eu-west-1:123456789012:table/orders'),
      { [Symbol.for('lambda-idempotency.error')]: true, code: 'quota-exceeded', statusCode: 503 },
    ) as unknown as IdempotencyError
    const problem = idempotencyProblem(foreign)
    expect(problem.status).toBe(503)
    expect(problem.title).toEqual(expect.any(String))
    expect(problem.title).not.toBe('')
    expect(problem.detail).not.toContain('123456789012')
  })

  it('points type URIs at a configured base', () => {
    const problem = idempotencyProblem(
      new IdempotencyPayloadMismatchError(),
      'https://api.example.com/problems/',
    )
    expect(problem.type).toBe('https://api.example.com/problems/payload-mismatch')
  })
})

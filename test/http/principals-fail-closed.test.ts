import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { countingStore } from '../support/counting-store.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import {
  ACCOUNT,
  functionUrlWith,
  httpApiWith,
  IDENTITY_POOL_ROLE_ARN,
  iamAuthorizer,
  iamIdentity,
  jwtAuthorizer,
  restWith,
  userPoolClaims,
} from '../support/http-auth-events.js'
import { headerOf, type RequestSpec } from '../support/http-events.js'
import { freshKey, wrapHandler, wrappers } from '../support/http-harness.js'

const client = testDynamoDBClient()
let dynamo: DynamoDBStore

beforeAll(async () => {
  dynamo = new DynamoDBStore({
    tableName: await createIdempotencyTestTable(client, 'http-unresolved'),
    client,
  })
})

const problemOf = (result: HttpResult) => JSON.parse(result.body as string)
const request = (): RequestSpec => ({ headers: { 'Idempotency-Key': freshKey() }, body: { amount: 500 } })
const { iss: _dropped, ...claimsWithoutIssuer } = userPoolClaims('alice')
const { sub: _none, ...claimsWithoutSub } = userPoolClaims('alice')

/** Authenticated requests whose identity cannot be told apart from other callers'. */
const indistinct: [string, HttpEvent][] = [
  [
    'a function URL call with the identity pool role but no Cognito identity',
    functionUrlWith(request(), { authorizer: iamAuthorizer(IDENTITY_POOL_ROLE_ARN) }),
  ],
  [
    'a REST call with the identity pool role but no Cognito identity',
    restWith(request(), { identity: iamIdentity(IDENTITY_POOL_ROLE_ARN) }),
  ],
  [
    'an HTTP API Lambda authorizer context without a field that names the caller',
    httpApiWith(request(), {
      authorizer: { lambda: { scope: 'payments', expiresAtEpochSeconds: '1795784400' } },
    }),
  ],
  [
    'an HTTP API Lambda authorizer that returned no context',
    httpApiWith(request(), { authorizer: { lambda: null } }),
  ],
  [
    'HTTP API JWT claims without an issuer',
    httpApiWith(request(), { authorizer: jwtAuthorizer(claimsWithoutIssuer) }),
  ],
  ['REST Cognito claims without a sub', restWith(request(), { authorizer: { claims: claimsWithoutSub } })],
  [
    'a REST Lambda authorizer with an empty principalId',
    restWith(request(), { authorizer: { principalId: '', integrationLatency: 14 } }),
  ],
]

describe.each(wrappers)('authenticated callers that cannot be told apart %s', (_path, wrap) => {
  it.each(indistinct)(
    'fails closed with 500 principal-unresolved, before any store call: %s',
    async (_name, event) => {
      const { store, calls } = countingStore(dynamo)
      const warn = vi.fn()
      // An anonymous fallback must not catch an authenticated request the preset cannot place.
      const { runs, invoke } = wrapHandler(wrap, {
        store,
        logger: { warn },
        anonymousPrincipal: () => 'shared',
      })
      const answer = await invoke(event)
      expect(answer.statusCode).toBe(500)
      expect(headerOf(answer, 'content-type')).toBe('application/problem+json')
      expect(problemOf(answer).type).toMatch(/#principal-unresolved$/)
      expect(problemOf(answer).detail).not.toMatch(new RegExp(`${ACCOUNT}|CognitoIdentityCredentials|option`))
      expect(runs).not.toHaveBeenCalled()
      expect(calls).toEqual([])
      // The operator learns which option fixes it.
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('`principal` option'), expect.anything())
    },
  )
})

describe.each(wrappers)('an HTTP API Lambda authorizer context %s', (_path, wrap) => {
  it('keeps a caller whose token was refreshed between retries on one principal: only principalId counts', async () => {
    const { runs, invoke } = wrapHandler(wrap, { store: dynamo })
    const spec = request()
    const context = (expiresAtEpochSeconds: string) => ({
      lambda: { principalId: 'alice', expiresAtEpochSeconds, requestTraceId: `t-${expiresAtEpochSeconds}` },
    })
    const first = await invoke(httpApiWith(spec, { authorizer: context('1795784400') }))
    const retry = await invoke(httpApiWith(spec, { authorizer: context('1795788000') }))
    expect(runs).toHaveBeenCalledTimes(1)
    expect(headerOf(retry, 'idempotent-replayed')).toBe('true')
    expect(retry.body).toBe(first.body)
  })

  it('is read through the principal option when its caller field has another name', async () => {
    const principal = (event: HttpEvent) =>
      (event.requestContext as { authorizer?: { lambda?: { userId?: string } } }).authorizer?.lambda?.userId
    const { runs, invoke } = wrapHandler(wrap, { store: dynamo, principal })
    const spec = request()
    const alice = await invoke(httpApiWith(spec, { authorizer: { lambda: { userId: 'alice' } } }))
    const mallory = await invoke(httpApiWith(spec, { authorizer: { lambda: { userId: 'mallory' } } }))
    expect(alice.statusCode).toBe(201)
    expect(headerOf(mallory, 'idempotent-replayed')).toBeUndefined()
    expect(runs).toHaveBeenCalledTimes(2)
  })
})

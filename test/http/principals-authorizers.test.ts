import { beforeAll, describe, it } from 'vitest'
import type { HttpIdempotencyOptions } from '../../lib/http/index.js'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import {
  clientCert,
  httpApiV1With,
  httpApiWith,
  iamIdentity,
  iamUserArn,
  jwtAuthorizer,
  restWith,
  userPoolClaims,
} from '../support/http-auth-events.js'
import { httpApiEvent } from '../support/http-events.js'
import { wrappers } from '../support/http-harness.js'
import { expectKeptApart, type TwoCallers } from '../support/two-callers.js'

const client = testDynamoDBClient()
let store: DynamoDBStore

beforeAll(async () => {
  store = new DynamoDBStore({
    tableName: await createIdempotencyTestTable(client, 'http-principal-auth'),
    client,
  })
})

const OTHER_ISSUER = 'https://login.partner.example.com/'

/** Callers each authorizer (or mutual TLS) must tell apart, and callers of two sources with one raw value. */
const authorizerCallers: [string, TwoCallers][] = [
  [
    // A sub is unique only per issuer: two user pools (or IdPs) may hand out the same one.
    'an HTTP API JWT authorizer, one sub from two issuers',
    {
      alice: (spec) => httpApiWith(spec, { authorizer: jwtAuthorizer(userPoolClaims('7d2f')) }),
      mallory: (spec) =>
        httpApiWith(spec, { authorizer: jwtAuthorizer(userPoolClaims('7d2f', OTHER_ISSUER)) }),
    },
  ],
  [
    'a REST Cognito user pool authorizer, one sub from two user pools',
    {
      alice: (spec) => restWith(spec, { authorizer: { claims: userPoolClaims('7d2f') } }),
      mallory: (spec) =>
        restWith(spec, { authorizer: { claims: userPoolClaims('7d2f', `${OTHER_ISSUER}pool-b`) } }),
    },
  ],
  [
    'an HTTP API payload 1.0 JWT authorizer, two users',
    {
      alice: (spec) => httpApiV1With(spec, { authorizer: { claims: userPoolClaims('alice'), scopes: null } }),
      mallory: (spec) =>
        httpApiV1With(spec, { authorizer: { claims: userPoolClaims('mallory'), scopes: null } }),
    },
  ],
  [
    'a REST Lambda authorizer, two principalIds',
    {
      alice: (spec) => restWith(spec, { authorizer: { principalId: 'alice', integrationLatency: 31 } }),
      mallory: (spec) => restWith(spec, { authorizer: { principalId: 'mallory', integrationLatency: 28 } }),
    },
  ],
  [
    // The old default read no v2 Lambda authorizer at all: both were refused with 401.
    'an HTTP API Lambda authorizer whose context names the caller in principalId',
    {
      alice: (spec) => httpApiWith(spec, { authorizer: { lambda: { principalId: 'alice', tier: 'gold' } } }),
      mallory: (spec) =>
        httpApiWith(spec, { authorizer: { lambda: { principalId: 'mallory', tier: 'gold' } } }),
    },
  ],
  [
    'an HTTP API payload 1.0 Lambda authorizer whose context names the caller in principalId',
    {
      alice: (spec) => httpApiV1With(spec, { authorizer: { lambda: { principalId: 'alice' } } }),
      mallory: (spec) => httpApiV1With(spec, { authorizer: { lambda: { principalId: 'mallory' } } }),
    },
  ],
  [
    'a REST API behind mutual TLS without authorizer, two client certificates',
    {
      alice: (spec) => restWith(spec, { identity: { clientCert: clientCert('0a:1b:2c', 'alice') } }),
      mallory: (spec) => restWith(spec, { identity: { clientCert: clientCert('3d:4e:5f', 'mallory') } }),
    },
  ],
  [
    'an HTTP API behind mutual TLS without authorizer, two client certificates',
    {
      alice: (spec) => httpApiWith(spec, { clientCert: clientCert('0a:1b:2c', 'alice') }),
      mallory: (spec) => httpApiWith(spec, { clientCert: clientCert('3d:4e:5f', 'mallory') }),
    },
  ],
  [
    // Two REST APIs (say v1 and v2 of a partner API) on one function, one with each authorizer.
    'a Lambda authorizer principalId equal to a Cognito sub',
    {
      alice: (spec) => restWith(spec, { authorizer: { claims: userPoolClaims('7d2f') } }),
      mallory: (spec) => restWith(spec, { authorizer: { principalId: '7d2f', integrationLatency: 12 } }),
    },
  ],
  [
    'a Lambda authorizer principalId equal to an IAM caller ARN',
    {
      alice: (spec) => restWith(spec, { identity: iamIdentity(iamUserArn('alice')) }),
      mallory: (spec) =>
        restWith(spec, { authorizer: { principalId: iamUserArn('alice'), integrationLatency: 9 } }),
    },
  ],
]

const anonymousCollisions: [string, TwoCallers, Partial<HttpIdempotencyOptions>][] = [
  [
    'an anonymous client id equal to a JWT sub',
    {
      alice: (spec) => httpApiEvent({ ...spec, sub: '7d2f' }),
      mallory: (spec) => httpApiEvent({ ...spec, headers: { ...spec.headers, 'X-Client-Id': '7d2f' } }),
    },
    { anonymousPrincipal: (event) => event.headers['x-client-id'] ?? '' },
  ],
  [
    'an anonymous client id equal to what the principal option returns',
    {
      alice: (spec) => httpApiWith(spec, { authorizer: { lambda: { userId: 'u-42' } } }),
      mallory: (spec) => httpApiEvent({ ...spec, headers: { ...spec.headers, 'X-Client-Id': 'u-42' } }),
    },
    {
      principal: (event) =>
        (event.requestContext as { authorizer?: { lambda?: { userId?: string } } }).authorizer?.lambda
          ?.userId,
      anonymousPrincipal: (event) => event.headers['x-client-id'] ?? '',
    },
  ],
]

describe.each(wrappers)('two authorized callers on one key %s, on DynamoDB Local', (_path, wrap) => {
  it.each(authorizerCallers)("keeps Mallory from Alice's answer: %s", async (_name, callers) => {
    await expectKeptApart(wrap, { store }, callers)
  })

  it.each(anonymousCollisions)(
    "never lets an anonymous caller reach an authenticated caller's answer: %s",
    async (_name, callers, options) => {
      await expectKeptApart(wrap, { store, ...options }, callers)
    },
  )
})

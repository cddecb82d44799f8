import { describe, expect, it } from 'vitest'
import { defaultPrincipal, principalOf } from '../../lib/http/principal.js'
import { IdempotencyPrincipalMissingError, IdempotencyPrincipalUnresolvedError } from '../../lib/index.js'
import {
  assumedRoleArn,
  clientCert,
  functionUrlWith,
  httpApiV1With,
  httpApiWith,
  IDENTITY_POOL_ID,
  IDENTITY_POOL_ROLE_ARN,
  iamAuthorizer,
  iamIdentity,
  jwtAuthorizer,
  restWith,
  USER_POOL_ISSUER,
  userPoolClaims,
} from '../support/http-auth-events.js'
import { functionUrlEvent, httpApiEvent, restEvent } from '../support/http-events.js'

const ALICE = 'eu-west-1:0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'
const cert = clientCert('0a:1b:2c', 'alice')

describe('who the caller is, source by source', () => {
  it.each([
    [
      'HTTP API JWT claims',
      httpApiWith({}, { authorizer: jwtAuthorizer(userPoolClaims('a')) }),
      ['jwt', USER_POOL_ISSUER, 'a'],
    ],
    [
      'payload 1.0 JWT claims',
      httpApiV1With({}, { authorizer: { claims: userPoolClaims('a'), scopes: null } }),
      ['jwt', USER_POOL_ISSUER, 'a'],
    ],
    [
      'REST Cognito claims',
      restWith({}, { authorizer: { claims: userPoolClaims('a') } }),
      ['jwt', USER_POOL_ISSUER, 'a'],
    ],
    [
      'REST Lambda authorizer',
      restWith({}, { authorizer: { principalId: 'a', integrationLatency: 3 } }),
      ['lambda', 'a'],
    ],
    [
      'HTTP API Lambda authorizer context',
      httpApiWith({}, { authorizer: { lambda: { principalId: 'a' } } }),
      ['lambda', 'a'],
    ],
    [
      'function URL IAM with a Cognito identity',
      functionUrlWith({}, { authorizer: iamAuthorizer(IDENTITY_POOL_ROLE_ARN, { identityId: ALICE }) }),
      ['cognito-identity', IDENTITY_POOL_ID, ALICE],
    ],
    [
      'REST IAM with a Cognito identity',
      restWith({}, { identity: iamIdentity(IDENTITY_POOL_ROLE_ARN, { identityId: ALICE }) }),
      ['cognito-identity', IDENTITY_POOL_ID, ALICE],
    ],
    [
      'an assumed-role session',
      functionUrlWith({}, { authorizer: iamAuthorizer(assumedRoleArn('Partner', 'build-7')) }),
      ['iam', assumedRoleArn('Partner', 'build-7')],
    ],
    [
      'REST mutual TLS',
      restWith({}, { identity: { clientCert: cert } }),
      ['mtls', cert.issuerDN, cert.serialNumber],
    ],
    [
      'HTTP API mutual TLS',
      httpApiWith({}, { clientCert: cert }),
      ['mtls', cert.issuerDN, cert.serialNumber],
    ],
    [
      'an authorizer before the client certificate',
      httpApiWith({}, { authorizer: jwtAuthorizer(userPoolClaims('a')), clientCert: cert }),
      ['jwt', USER_POOL_ISSUER, 'a'],
    ],
  ])('reads %s', (_name, event, principal) => {
    expect(defaultPrincipal(event)).toEqual(principal)
  })

  it.each([
    ['a payload 1.0 route without authorizer', httpApiV1With({})],
    ['a function URL with auth type NONE', functionUrlEvent({})],
    ['a REST event without request context', { ...restEvent({}), requestContext: undefined }],
  ])('finds none on %s', (_name, event) => {
    expect(defaultPrincipal(event as never)).toBeUndefined()
  })

  it('tags the principal option and the anonymous fallback, so neither meets a default source', () => {
    const options = { principal: () => 'a', anonymousPrincipal: () => 'a' }
    expect(principalOf(httpApiEvent({ sub: 'a' }), options)).toEqual(['custom', 'a'])
    expect(principalOf(httpApiEvent({}), { anonymousPrincipal: () => 'a' })).toEqual(['anonymous', 'a'])
    expect(
      principalOf(httpApiEvent({}), { principal: () => undefined, anonymousPrincipal: () => 'a' }),
    ).toEqual(['anonymous', 'a'])
  })

  it('refuses no identity with 401, and an indistinct one with 500 naming the option', () => {
    expect(() => principalOf(httpApiEvent({}), {})).toThrow(IdempotencyPrincipalMissingError)
    const shared = functionUrlWith({}, { authorizer: iamAuthorizer(IDENTITY_POOL_ROLE_ARN) })
    expect(() => principalOf(shared, { anonymousPrincipal: () => 'a' })).toThrow(
      IdempotencyPrincipalUnresolvedError,
    )
    expect(() => defaultPrincipal(shared)).toThrow(/CognitoIdentityCredentials.*`principal` option/)
    expect(new IdempotencyPrincipalUnresolvedError('x')).toMatchObject({
      statusCode: 500,
      code: 'principal-unresolved',
    })
  })
})

import { describe, expect, it } from 'vitest'
import { isFinalAnswer, replayedHeaderNames, storedForm } from '../../lib/http/answer.js'
import { headerValues, routeOf } from '../../lib/http/event.js'
import { checkKeyAge, parseIdempotencyKey, UUIDV7_MAX_FUTURE_SKEW_MS } from '../../lib/http/key.js'
import { preferredWaitSeconds } from '../../lib/http/prefer.js'
import { defaultPrincipal } from '../../lib/http/principal.js'
import { IdempotencyKeyInvalidError, IdempotencyKeyMissingError } from '../../lib/index.js'
import { functionUrlEvent, httpApiEvent, restEvent, uuidV7At } from '../support/http-events.js'
import { NOW_MS } from '../support/records.js'

describe('parsing the Idempotency-Key header', () => {
  it.each([
    ['a bare token', 'abc-123', 'abc-123'],
    ['a structured-field string', '"abc-123"', 'abc-123'],
    ['a quoted key with escaped quote and backslash', '"a\\"b\\\\c"', 'a"b\\c'],
    ['a quoted key holding a comma', '"a,b"', 'a,b'],
    ['a value padded with optional whitespace', ' \tabc ', 'abc'],
    ['a key of exactly 255 characters', 'k'.repeat(255), 'k'.repeat(255)],
    [
      'every visible ASCII character but comma and quote',
      '!#$%&()*+-./:;<=>?@[]^_`{|}~',
      '!#$%&()*+-./:;<=>?@[]^_`{|}~',
    ],
  ])('accepts %s', (_name, value, key) => {
    expect(parseIdempotencyKey([value])).toBe(key)
  })

  it('reports an absent header as missing', () => {
    expect(() => parseIdempotencyKey([])).toThrow(IdempotencyKeyMissingError)
  })

  it.each([
    ['an empty value', '', 'is empty'],
    ['whitespace only', '   ', 'is empty'],
    ['an empty quoted string', '""', 'is empty'],
    ['256 characters', 'k'.repeat(256), '256 characters'],
    ['256 characters inside quotes', `"${'k'.repeat(256)}"`, '256 characters'],
    ['a control character', 'abc\u0001def', 'visible ASCII'],
    ['a tab inside the key', 'abc\tdef', 'visible ASCII'],
    ['a space inside the key', 'abc def', 'visible ASCII'],
    ['a space inside a quoted key', '"abc def"', 'visible ASCII'],
    ['non-ASCII characters', 'clé-123', 'visible ASCII'],
    ['non-ASCII inside quotes', '"clé"', 'visible ASCII'],
    ['two comma-joined values (HTTP API v2)', 'abc,def', 'more than one value'],
    ['two comma-joined quoted values', '"abc", "def"', 'more than one value'],
    ['an unterminated quoted string', '"abc', 'unterminated'],
    ['text after the closing quote', '"abc"def', 'after its quotes'],
    ['a bad escape', '"a\\bc"', 'bad escape'],
    ['a stray quote in a bare key', 'ab"c', 'stray quote'],
  ])('rejects %s', (_name, value, reason) => {
    expect(() => parseIdempotencyKey([value])).toThrow(IdempotencyKeyInvalidError)
    expect(() => parseIdempotencyKey([value])).toThrow(reason)
  })

  it('rejects a header sent twice, even with the same value', () => {
    expect(() => parseIdempotencyKey(['abc', 'abc'])).toThrow('is repeated')
  })

  it('finds the header in any case and sees repeats in REST multiValueHeaders and v2 comma-joined lines', () => {
    const rest = restEvent({ headers: { 'IDEMPOTENCY-KEY': ['a', 'b'] } })
    const v2 = httpApiEvent({ headers: { 'Idempotency-Key': ['a', 'b'] } })
    expect(headerValues(rest, 'idempotency-key')).toEqual(['a', 'b'])
    expect(headerValues(v2, 'Idempotency-Key')).toEqual(['a,b'])
  })
})

describe('the age of UUIDv7 keys', () => {
  const dayS = 86_400

  it('accepts a UUIDv7 minted now, or a little ahead of this clock', () => {
    expect(() => checkKeyAge(uuidV7At(NOW_MS), NOW_MS, dayS)).not.toThrow()
    expect(() => checkKeyAge(uuidV7At(NOW_MS + UUIDV7_MAX_FUTURE_SKEW_MS), NOW_MS, dayS)).not.toThrow()
    expect(() => checkKeyAge(uuidV7At(NOW_MS - dayS * 1000), NOW_MS, dayS)).not.toThrow()
  })

  it('rejects a UUIDv7 older than the retention window', () => {
    expect(() => checkKeyAge(uuidV7At(NOW_MS - dayS * 1000 - 1), NOW_MS, dayS)).toThrow('send a new key')
  })

  it('rejects a UUIDv7 stamped further in the future than the allowed clock skew', () => {
    const future = uuidV7At(NOW_MS + UUIDV7_MAX_FUTURE_SKEW_MS + 1)
    expect(() => checkKeyAge(future, NOW_MS, dayS)).toThrow('in the future')
  })

  it('leaves other key formats alone, UUIDv4 and random tokens included', () => {
    expect(() => checkKeyAge('00000000-0000-4000-8000-000000000000', NOW_MS, dayS)).not.toThrow()
    expect(() => checkKeyAge('00000000-0000-7000-c000-000000000000', NOW_MS, dayS)).not.toThrow()
    expect(() => checkKeyAge('order-42', NOW_MS, dayS)).not.toThrow()
  })
})

describe('parsing Prefer: wait', () => {
  it.each<[string, string[], number | undefined]>([
    ['a lone wait', ['wait=5'], 5],
    ['wait after respond-async', ['respond-async, wait=5'], 5],
    ['any case and whitespace', ['Respond-Async ,  WAIT = 7 '], 7],
    ['a quoted value', ['wait="3"'], 3],
    ['parameters after the value', ['wait=4; foo=bar'], 4],
    ['a quoted comma before the wait', ['x="a,wait=1", wait=9'], 9],
    ['several field lines (REST)', ['respond-async', 'wait=6'], 6],
    ['only the first wait', ['wait=2, wait=8'], 2],
    ['no wait at all', ['respond-async', 'return=minimal'], undefined],
    ['a wait that is no number', ['wait=soon'], undefined],
    ['a negative wait', ['wait=-1'], undefined],
    ['no header', [], undefined],
  ])('reads %s', (_name, lines, seconds) => {
    expect(preferredWaitSeconds(lines)).toBe(seconds)
  })
})

describe('reading the principal and route of each event shape', () => {
  const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example'
  it.each([
    ['HTTP API JWT issuer and sub', httpApiEvent({ sub: 'user-1' }), ['jwt', issuer, 'user-1']],
    [
      'REST Lambda authorizer principalId',
      restEvent({ authorizer: { principalId: 'user-2' } }),
      ['lambda', 'user-2'],
    ],
    [
      'REST Cognito authorizer issuer and sub',
      restEvent({ authorizer: { claims: { sub: 'user-3', iss: issuer } } }),
      ['jwt', issuer, 'user-3'],
    ],
    [
      'REST IAM caller ARN',
      restEvent({ authorizer: { iamUserArn: 'arn:aws:iam::123456789012:user/ci' } }),
      ['iam', 'arn:aws:iam::123456789012:user/ci'],
    ],
    [
      'function URL IAM caller ARN',
      functionUrlEvent({ iamUserArn: 'arn:aws:iam::123456789012:user/ops' }),
      ['iam', 'arn:aws:iam::123456789012:user/ops'],
    ],
  ])('takes the %s, tagged with its source', (_name, event, principal) => {
    expect(defaultPrincipal(event)).toEqual(principal)
  })

  it.each([
    ['an HTTP API route without authorizer', httpApiEvent({})],
    ['a REST resource without authorizer', restEvent({})],
    ['a function URL with auth type NONE', functionUrlEvent({})],
  ])('finds none on %s', (_name, event) => {
    expect(defaultPrincipal(event)).toBeUndefined()
  })

  it('uses the REST resource, the HTTP API route key, and the path of a function URL', () => {
    expect(routeOf(restEvent({ resource: '/payments/{id}', path: '/payments/p1' }))).toBe('/payments/{id}')
    expect(routeOf(httpApiEvent({ routeKey: 'PATCH /payments/{id}', path: '/payments/p1' }))).toBe(
      'PATCH /payments/{id}',
    )
    expect(routeOf(functionUrlEvent({ path: '/payments/p1' }))).toBe('/payments/p1')
  })
})

describe('what an answer stores', () => {
  it.each([200, 201, 204, 303, 400, 402, 404, 422])('stores a %i as the final answer', (status) => {
    expect(isFinalAnswer({ statusCode: status })).toBe(true)
  })

  it.each([408, 409, 425, 429, 500, 502, 503, 504])('does not store a %i', (status) => {
    expect(isFinalAnswer({ statusCode: status })).toBe(false)
  })

  it('keeps only content-type, location and the listed headers, in any case, single or multi-valued', () => {
    const stored = storedForm(
      {
        statusCode: 201,
        headers: {
          'Content-Type': 'application/json',
          LOCATION: '/p/1',
          'Set-Cookie': 's=1',
          'X-Trace': 't',
        },
        multiValueHeaders: { Link: ['<a>', '<b>'], 'Set-Cookie': ['a=1', 'b=2'] },
        body: '{}',
      },
      replayedHeaderNames(['link']),
    )
    expect(stored).toEqual({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', LOCATION: '/p/1' },
      multiValueHeaders: { Link: ['<a>', '<b>'] },
      body: '{}',
    })
  })
})

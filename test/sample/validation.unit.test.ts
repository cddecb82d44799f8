import { describe, expect, it } from 'vitest'
import { parsePaymentRequest } from '../../functions/shared/payment-request.js'
import { nonJsonMediaType } from '../../functions/shared/request-body.js'

describe('the POST /payments body check', () => {
  it('keeps exactly amount, currency and description, leaving description out when absent', () => {
    expect(parsePaymentRequest('{"amount":1,"currency":"INR"}')).toEqual({
      ok: true,
      value: { amount: 1, currency: 'INR' },
    })
    expect(parsePaymentRequest('{"currency":"EUR","description":"","amount":2}')).toEqual({
      ok: true,
      value: { amount: 2, currency: 'EUR', description: '' },
    })
  })

  it('reads a base64-encoded body as API Gateway sends binary content', () => {
    const body = Buffer.from('{"amount":3,"currency":"USD"}').toString('base64')
    expect(parsePaymentRequest(body, true)).toMatchObject({ ok: true, value: { amount: 3 } })
  })

  it('names every problem at once, so a client can fix them in one go', () => {
    const parsed = parsePaymentRequest('{"amount":-1,"currency":"usd","description":null,"tip":1,"note":2}')
    expect(parsed.ok).toBe(false)
    const detail = parsed.ok ? '' : parsed.detail
    for (const name of ['"tip"', '"note"', 'amount', 'currency', 'description'])
      expect(detail).toContain(name)
  })

  it.each([
    [undefined, 'must be a JSON object'],
    ['null', 'must be a JSON object'],
    ['"text"', 'must be a JSON object'],
    ['{', 'not valid JSON'],
  ])('refuses the body %s: %s', (body, message) => {
    const parsed = parsePaymentRequest(body)
    expect(parsed.ok ? '' : parsed.detail).toContain(message)
  })
})

describe('the media type of a body', () => {
  it('names a type that is not JSON, in any header-name case (REST passes names as sent)', () => {
    expect(nonJsonMediaType({ 'Content-Type': 'text/plain; charset=utf-8' })).toBe('text/plain')
    expect(nonJsonMediaType({ 'content-type': 'application/x-www-form-urlencoded' })).toBe(
      'application/x-www-form-urlencoded',
    )
    expect(nonJsonMediaType({ 'CONTENT-TYPE': 'application/jsonp' })).toBe('application/jsonp')
  })

  it('takes JSON and +json types with any parameters, and a body without a Content-Type as JSON', () => {
    for (const type of ['application/json', 'Application/JSON; charset=UTF-8', 'application/problem+json'])
      expect(nonJsonMediaType({ 'content-type': type }), type).toBeUndefined()
    expect(nonJsonMediaType({})).toBeUndefined()
    expect(nonJsonMediaType(null)).toBeUndefined()
    expect(nonJsonMediaType({ 'content-type': '' })).toBeUndefined()
  })
})

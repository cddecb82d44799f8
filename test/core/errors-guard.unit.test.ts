import { describe, expect, it, vi } from 'vitest'
import * as first from '../../lib/errors.js'

describe('isIdempotencyError', () => {
  it('recognizes a toolkit error from a second copy of the package, which instanceof does not', async () => {
    vi.resetModules()
    const second = (await import('../../lib/errors.js')) as typeof first
    expect(second.IdempotencyError).not.toBe(first.IdempotencyError)
    const fromSecond = new second.IdempotencyInProgressError(2_000)
    expect(fromSecond).not.toBeInstanceOf(first.IdempotencyError)
    expect(first.isIdempotencyError(fromSecond)).toBe(true)
    expect(second.isIdempotencyError(new first.IdempotencyPayloadMismatchError())).toBe(true)
  })

  it('refuses what is not a toolkit error, lookalikes included', () => {
    const lookalike = Object.assign(new Error('x'), { statusCode: 409, code: 'in-progress' })
    for (const value of [new Error('plain'), lookalike, null, undefined, 'in-progress', { code: 'x' }])
      expect(first.isIdempotencyError(value)).toBe(false)
  })
})

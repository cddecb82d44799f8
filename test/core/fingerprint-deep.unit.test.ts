import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJsonDeep } from '../../lib/deep-json.js'
import { canonicalJson, fingerprintOf } from '../../lib/store/index.js'
import { anyJavaScriptValue } from '../support/any-value.js'

const nestedArrays = (depth: number, leaf: unknown = 1): unknown =>
  JSON.parse(`${'['.repeat(depth)}${JSON.stringify(leaf)}${']'.repeat(depth)}`)
const nestedObjects = (depth: number, leaf: string): unknown =>
  JSON.parse(`${'{"z":1,"a":'.repeat(depth)}${JSON.stringify(leaf)}${'}'.repeat(depth)}`)

describe('fingerprints of deeply nested payloads', () => {
  it.each([10_000, 100_000])(
    'fingerprints JSON nested %i levels deep instead of overflowing the stack',
    (depth) => {
      expect(() => JSON.stringify(nestedArrays(depth))).toThrow(RangeError)
      expect(fingerprintOf(nestedArrays(depth))).toMatch(/^[\w-]{43}$/)
      expect(fingerprintOf(nestedObjects(depth, 'x'))).toMatch(/^[\w-]{43}$/)
    },
  )

  it('tells deep payloads apart by their leaves and sorts their keys at every depth', () => {
    expect(fingerprintOf(nestedArrays(10_000, 1))).not.toBe(fingerprintOf(nestedArrays(10_000, 2)))
    expect(fingerprintOf(nestedObjects(10_000, 'x'))).not.toBe(fingerprintOf(nestedObjects(10_000, 'y')))
    const reordered = JSON.parse(`${'{"a":'.repeat(5_000)}{"z":1,"y":2}${',"z":1}'.repeat(5_000)}`)
    const sorted = JSON.parse(`${'{"a":'.repeat(5_000)}{"y":2,"z":1}${',"z":1}'.repeat(5_000)}`)
    expect(canonicalJson(reordered)).toBe(canonicalJson(sorted))
  })

  it('writes exactly what the native path writes, for any value the native path can write', () => {
    const values = anyJavaScriptValue()
    fc.assert(
      fc.property(values, (value) => {
        expect(canonicalJsonDeep(value) ?? 'undefined').toBe(canonicalJson(value))
      }),
    )
    expect(
      canonicalJsonDeep({ at: new Date(0), gone: undefined, list: [undefined, () => 1, Number.NaN] }),
    ).toBe('{"at":"1970-01-01T00:00:00.000Z","list":[null,null,null]}')
    expect(() => canonicalJsonDeep({ big: 1n })).toThrow(TypeError)
  })
})

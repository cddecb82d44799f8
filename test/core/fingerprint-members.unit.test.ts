import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalJsonDeep } from '../../lib/deep-json.js'
import { canonicalJson, fingerprintOf } from '../../lib/store/index.js'

/** Names that an object literal or an assignment treats specially, next to any string and integer-like keys. */
const SPECIAL_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'toJSON',
]
const memberName = fc.oneof(
  fc.string(),
  fc.constantFrom(...SPECIAL_NAMES),
  fc.nat().map(String),
  fc.constantFrom('0', '1', '10', '4294967294', '4294967295', '-1', '01', '1.5'),
)

/** An object as JSON.parse builds it: every member an own data property, `__proto__` included. */
const objectOf = (entries: readonly (readonly [string, unknown])[]): Record<string, unknown> =>
  Object.fromEntries(entries)

const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))
const { json } = fc.letrec<{ json: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('json'), { maxLength: 4 }),
  object: fc
    .uniqueArray(fc.tuple(memberName, tie('json')), { selector: ([name]) => name, maxLength: 6 })
    .map(objectOf),
}))
const jsonObject = fc
  .uniqueArray(fc.tuple(memberName, json), { selector: ([name]) => name, maxLength: 6 })
  .map(objectOf)

/** Every own member at every depth, in a form that does not depend on the code under test. */
function members(value: unknown): unknown {
  if (Array.isArray(value)) return { array: value.map(members) }
  if (value === null || typeof value !== 'object') return value
  return Object.keys(value)
    .sort()
    .map((name) => [name, members((value as Record<string, unknown>)[name])])
}

/** The same members at every depth, inserted in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed)
  if (value === null || typeof value !== 'object') return value
  return objectOf(
    Object.entries(value)
      .map(([name, item]) => [name, reversed(item)] as const)
      .reverse(),
  )
}

/** `inner` nested under the member names of `path`, outermost first. */
const nestedUnder = (path: readonly string[], inner: unknown): unknown =>
  path.reduceRight<unknown>((value, name) => objectOf([[name, value]]), inner)

const withMember = (base: Record<string, unknown>, name: string, value: unknown) =>
  objectOf([...Object.entries(base).filter(([other]) => other !== name), [name, value]])
const withoutMember = (base: Record<string, unknown>, name: string) =>
  objectOf(Object.entries(base).filter(([other]) => other !== name))

describe('fingerprints cover every JSON member, whatever its name', () => {
  it('keeps every own member at every depth, __proto__, constructor and prototype included', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(members(JSON.parse(canonicalJson(value)))).toEqual(members(value))
      }),
    )
  })

  it('fingerprints two values that differ in one member differently, at any depth and for any name', () => {
    const differing = fc
      .tuple(json, json)
      .filter(([first, second]) => !isDeepStrictEqual(members(first), members(second)))
    fc.assert(
      fc.property(
        fc.array(memberName, { maxLength: 3 }),
        jsonObject,
        memberName,
        differing,
        (path, base, name, [first, second]) => {
          const one = nestedUnder(path, withMember(base, name, first))
          const other = nestedUnder(path, withMember(base, name, second))
          const absent = nestedUnder(path, withoutMember(base, name))
          expect(fingerprintOf(one)).not.toBe(fingerprintOf(other))
          expect(fingerprintOf(one)).not.toBe(fingerprintOf(absent))
        },
      ),
    )
  })

  it('never lets the order of members change the fingerprint', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(fingerprintOf(reversed(value))).toBe(fingerprintOf(value))
      }),
    )
  })

  it('writes the same canonical JSON through the native and the stack-free path', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJsonDeep(value) ?? 'undefined').toBe(canonicalJson(value))
      }),
    )
  })

  it('tells a refund target smuggled in __proto__ apart from the plain body, shallow and 10,000 levels deep', () => {
    const plain = JSON.parse('{"amount":100}')
    const smuggled = JSON.parse('{"amount":100,"__proto__":{"refundTo":"x"}}')
    expect(fingerprintOf(smuggled)).not.toBe(fingerprintOf(plain))
    expect(canonicalJson(smuggled)).toBe('{"__proto__":{"refundTo":"x"},"amount":100}')
    const deep = (leafJson: string) => JSON.parse(`${'{"a":'.repeat(10_000)}${leafJson}${'}'.repeat(10_000)}`)
    expect(() => JSON.stringify(deep('1'))).toThrow(RangeError)
    expect(fingerprintOf(deep('{"amount":100,"__proto__":{"refundTo":"x"}}'))).not.toBe(
      fingerprintOf(deep('{"amount":100}')),
    )
    expect(canonicalJsonDeep(smuggled)).toBe(canonicalJson(smuggled))
  })
})

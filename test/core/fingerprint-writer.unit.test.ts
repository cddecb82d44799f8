import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sortedMembers } from '../../lib/json-members.js'
import { canonicalJson } from '../../lib/store/index.js'
import { anyJavaScriptValue } from '../support/any-value.js'

/**
 * The canonical form as it was first defined, and as every fingerprint stored so far was made: JSON.stringify
 * with a replacer that copies each object's sorted members into an object without a prototype. Kept here, not in
 * lib/, as the reference the faster writer must match byte for byte: a different byte is a different fingerprint,
 * and every retry of a request made before an upgrade would be refused as a mismatch.
 */
function definedCanonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, item: unknown) =>
      item === null || typeof item !== 'object' || Array.isArray(item) ? item : sortedMembers(item),
    ) ?? 'undefined'
  )
}

const memberName = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('__proto__', 'constructor', 'toJSON', 'valueOf', 'a', 'B', ' ', '~', '9a', '0x1'),
  fc.nat().map(String),
  fc.constantFrom('0', '1', '10', '2', '007', '-1', '1.5', '1e3', '4294967294', '4294967295', '99999999999'),
)
const objectWithNames = fc
  .uniqueArray(fc.tuple(memberName, fc.anything({ maxDepth: 2 })), {
    selector: ([name]) => name,
    maxLength: 8,
  })
  .map((entries) => Object.fromEntries(entries))

describe('the canonical JSON writer', () => {
  it('writes what the replacer it replaced wrote, for any value JavaScript can hold', () => {
    const values = anyJavaScriptValue()
    fc.assert(
      fc.property(values, (value) => {
        expect(canonicalJson(value)).toBe(definedCanonicalJson(value))
      }),
      {
        numRuns: 2_000,
      },
    )
  })

  it('orders array-index names numerically before all others, as the sorted copy did', () => {
    fc.assert(
      fc.property(objectWithNames, (value) => {
        expect(canonicalJson(value)).toBe(definedCanonicalJson(value))
      }),
      { numRuns: 2_000 },
    )
    const mixed = { b: 1, 10: 2, 2: 3, a: 4, '02': 5, 4294967295: 6, 4294967294: 7 }
    expect(canonicalJson(mixed)).toBe(definedCanonicalJson(mixed))
  })

  it('escapes quotes, backslashes, control characters and lone surrogates in names and values alike', () => {
    const tricky = [
      'say "hi"',
      'back\\slash',
      'tab\tnew\nline\u0000',
      'pair \ud83d\ude00',
      'lone \ud800 \udfff',
      'plain',
    ]
    const value = Object.fromEntries(tricky.map((text) => [text, [text, { [text]: text }]]))
    expect(canonicalJson(value)).toBe(definedCanonicalJson(value))
    expect(JSON.parse(canonicalJson(value))).toEqual(value)
  })

  it('calls toJSON with the member name or array index, and writes what it returns', () => {
    const seen: string[] = []
    const probe = (label: string) => ({
      toJSON: (key: string) => {
        seen.push(`${label}:${key}`)
        return { z: 1, y: [label] }
      },
    })
    const value = {
      second: probe('b'),
      first: [probe('a'), undefined, () => 1, Symbol('s')],
      at: new Date(0),
    }
    expect(canonicalJson(value)).toBe(definedCanonicalJson(value))
    // Each writer met the members in sorted order, depth first: `first`'s element, then `second`.
    expect(seen).toEqual(['a:0', 'b:second', 'a:0', 'b:second'])
  })

  it('calls toJSON on a function too, as JSON.stringify does: a function is an object with a toJSON', () => {
    const withToJSON = <T extends object>(target: T, toJSON: () => unknown) =>
      Object.assign(target, { toJSON })
    const values = [
      {
        amount: 100,
        tag: withToJSON(
          () => 'never called',
          () => 'tag',
        ),
      },
      [
        withToJSON(
          function named() {},
          () => ({ z: 1, a: 2 }),
        ),
      ],
      withToJSON(
        () => undefined,
        () => ['root'],
      ),
      {
        skipped: withToJSON(
          () => 1,
          () => () => 2,
        ),
      },
    ]
    for (const value of values) expect(canonicalJson(value)).toBe(definedCanonicalJson(value))
  })

  it('reads an object’s members and an array’s length before writing any of them, as the copy and JSON.stringify did', () => {
    // Each value is made afresh for each writer: its toJSON or getter changes its parent while it is written.
    const makers = [
      () => {
        const order: Record<string, unknown> = { b: 'before' }
        order.a = {
          toJSON() {
            order.b = 'after'
            return 'a'
          },
        }
        return order
      },
      () => {
        const order: Record<string, unknown> = { b: 'kept' }
        order.a = {
          toJSON() {
            delete order.b
            return 'a'
          },
        }
        return order
      },
      () => {
        const order: Record<string, unknown> = { b: 1 }
        Object.defineProperty(order, 'a', {
          enumerable: true,
          get() {
            order.b = 2
            return 0
          },
        })
        order.c = {
          toJSON() {
            order.b = 3
            return 'c'
          },
        }
        return order
      },
      () => {
        const items: unknown[] = [1]
        items.push({
          toJSON() {
            items.push('grown')
            return 2
          },
        })
        return items
      },
      () => {
        const items: unknown[] = [
          {
            toJSON() {
              items.pop()
              return 1
            },
          },
          2,
          3,
        ]
        return items
      },
    ]
    for (const make of makers) expect(canonicalJson(make())).toBe(definedCanonicalJson(make()))
  })

  it('refuses a BigInt and a cycle with a TypeError, as JSON.stringify does, instead of looping', () => {
    expect(() => canonicalJson({ amount: 1n })).toThrow(TypeError)
    const cyclic: Record<string, unknown> = { name: 'loop' }
    cyclic.self = { again: cyclic }
    expect(() => canonicalJson(cyclic)).toThrow(/circular/)
    const cyclicArray: unknown[] = [1]
    cyclicArray.push(cyclicArray)
    expect(() => canonicalJson(cyclicArray)).toThrow(TypeError)
  })
})

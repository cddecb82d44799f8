import { sortedMembers } from './json-members.js'

type Frame =
  | {
      readonly close: string
      readonly entries: [string | undefined, unknown][]
      next: number
      wrote: boolean
    }
  | undefined

/**
 * `canonicalJson` without recursion, for values nested deeper than the engine's stack allows: JSON.parse accepts
 * a body of 10,000 nested arrays (20 KB), but JSON.stringify overflows the stack at a few thousand levels. The
 * output is the same string `JSON.stringify(value, sortKeys)` gives: `toJSON` first, object keys sorted,
 * `undefined`, functions and symbols dropped from objects and `null` in arrays, non-finite numbers `null`.
 */
export function canonicalJsonDeep(value: unknown): string | undefined {
  const top = prepare(value, '')
  if (top === undefined) return undefined
  const out: string[] = []
  const stack: Frame[] = []
  const write = (prepared: unknown) => {
    if (prepared === null || typeof prepared !== 'object') return void out.push(JSON.stringify(prepared))
    const isArray = Array.isArray(prepared)
    out.push(isArray ? '[' : '{')
    const entries: [string | undefined, unknown][] = isArray
      ? Array.from(prepared, (item, index) => [undefined, prepare(item, String(index)) ?? null])
      : Object.entries(sortedMembers(prepared)).map(([key, item]) => [key, prepare(item, key)])
    stack.push({ close: isArray ? ']' : '}', entries, next: 0, wrote: false })
  }
  write(top)
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as NonNullable<Frame>
    const entry = frame.entries[frame.next++]
    if (entry === undefined) {
      out.push(frame.close)
      stack.pop()
      continue
    }
    const [key, item] = entry
    if (item === undefined) continue
    if (frame.wrote) out.push(',')
    frame.wrote = true
    if (key !== undefined) out.push(`${JSON.stringify(key)}:`)
    write(item)
  }
  return out.join('')
}

/** One value as JSON.stringify sees it before writing: after `toJSON`, undefined when it is left out. */
function prepare(value: unknown, key: string): unknown {
  let prepared = value
  if (typeof (prepared as { toJSON?: unknown } | null)?.toJSON === 'function')
    prepared = (prepared as { toJSON(key: string): unknown }).toJSON(key)
  if (typeof prepared === 'bigint') throw new TypeError('Do not know how to serialize a BigInt')
  if (prepared === undefined || typeof prepared === 'function' || typeof prepared === 'symbol')
    return undefined
  return prepared
}

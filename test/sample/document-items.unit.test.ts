import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const functionsDir = join(import.meta.dirname, '../../functions')
const sources = (readdirSync(functionsDir, { recursive: true }) as string[])
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(functionsDir, name))

/** `{ S: `, `{ N: `, `{ BOOL: `, `{ M: `...: an attribute value written out by hand. */
const MARSHALLED_VALUE = /\{\s*(S|N|B|BOOL|NULL|M|L|SS|NS|BS)\s*:/
/** `item.amount?.N`, `image?.body?.S`: an attribute value read apart by hand. */
const UNMARSHALLED_READ = /\?\.(S|N|B|BOOL|NULL|M|L|SS|NS|BS)\b/

describe('the sample payments service and its own items', () => {
  it('reads and writes them as plain values through lib-dynamodb, never marshalling one by hand', () => {
    expect(sources.length).toBeGreaterThan(10)
    const handMarshalled = sources.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .map((line, n) => ({ line, at: `${relative(functionsDir, path)}:${n + 1}` }))
        .filter(({ line }) => MARSHALLED_VALUE.test(line) || UNMARSHALLED_READ.test(line))
        .map(({ line, at }) => `${at}: ${line.trim()}`),
    )
    expect(handMarshalled).toEqual([])
  })
})

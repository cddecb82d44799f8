import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const read = (path: string) => JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'))
const pkg = read('package.json') as { exports: Record<string, unknown> }
const typedoc = read('typedoc.json') as { entryPoints: string[] }

/** `.` → lib/index.ts, `./http` → lib/http/index.ts: the source of each subpath package.json exports. */
const sourceOf = (subpath: string) => (subpath === '.' ? 'lib/index.ts' : `lib/${subpath.slice(2)}/index.ts`)

describe('the API reference (npm run docs:api)', () => {
  it('documents every subpath the package exports, and nothing it does not', () => {
    const exported = Object.keys(pkg.exports)
      .filter((subpath) => subpath !== './package.json')
      .map(sourceOf)
    expect([...typedoc.entryPoints].sort()).toEqual(exported.sort())
  })

  it('gives every subpath a module comment, the reference page a reader lands on', () => {
    for (const entry of typedoc.entryPoints) {
      const source = readFileSync(new URL(`../../${entry}`, import.meta.url), 'utf8')
      expect(source.startsWith('/**'), `${entry} opens with its module comment`).toBe(true)
      expect(source.slice(0, source.indexOf('*/')), `${entry} marks its comment @module`).toContain('@module')
    }
  })
})

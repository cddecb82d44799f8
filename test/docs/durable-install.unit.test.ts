import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const durableDir = new URL('../../lib/durable/', import.meta.url)
const sources = readdirSync(durableDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => readFileSync(new URL(name, durableDir), 'utf8'))

/**
 * The packages `lambda-idempotency/durable` loads at run time: value imports and dynamic ones, not types, not
 * Node's own. The SDK's testing package is left out: only `LocalDurableExecutions` (tests, `npm start`) loads it.
 */
function runtimePackages(): string[] {
  const found = new Set<string>()
  for (const code of sources) {
    for (const [, name] of code.matchAll(/^import (?!type\b)[^;]*?from '([^.'][^']*)'/gm))
      found.add(name as string)
    for (const [, name] of code.matchAll(/\bimport\('([^.'][^']*)'\)/g)) found.add(name as string)
  }
  return [...found].filter((name) => !name.startsWith('node:') && !name.endsWith('-testing')).sort()
}

describe("docs/durable.md's install line", () => {
  it('names every package the durable entry point loads, the Lambda client that starts executions included', () => {
    const docs = readFileSync(new URL('../../docs/durable.md', import.meta.url), 'utf8')
    const line = /`npm install ([^`]+)`/.exec(docs)?.[1] ?? ''
    const packages = runtimePackages()
    expect(packages).toContain('@aws-sdk/client-lambda')
    expect(packages.filter((name) => !line.split(/\s+/).includes(name))).toEqual([])
  })
})

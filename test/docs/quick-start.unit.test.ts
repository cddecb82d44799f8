import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** The README's section under `## <heading>`, up to the next `## `. */
function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`)
  expect(start, `## ${heading}`).toBeGreaterThan(-1)
  const end = readme.indexOf('\n## ', start + 1)
  return readme.slice(start, end === -1 ? undefined : end)
}

/** A wrapper's options, as the README's examples build them: `idempotency({...})`, `makeIdempotent(fn, {...})`. */
const WRAPPER = /\b(idempotency|httpIdempotency|makeIdempotent|makeHttpIdempotent)\(/

describe("the README's Quick start", () => {
  it('sets namespace on every wrapper it shows, as troubleshooting says every deployed function should', () => {
    const blocks = [...section('Quick start').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(
      (match) => match[1] ?? '',
    )
    const wrapping = blocks.filter((code) => WRAPPER.test(code))
    expect(wrapping.length).toBeGreaterThanOrEqual(2)
    expect(wrapping.filter((code) => !/\bnamespace: '[^']+'/.test(code))).toEqual([])
  })
})

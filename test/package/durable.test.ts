import { readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

interface Imports {
  /** Every module the entry point loads when it is imported, project files by path, packages by name. */
  readonly files: Set<string>
  readonly packages: Set<string>
}

/** The static runtime imports reachable from `entry` (type-only imports and dynamic `import()` load nothing). */
function runtimeImports(entry: string): Imports {
  const files = new Set<string>()
  const packages = new Set<string>()
  const pending = [join(root, entry)]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue
    files.add(file)
    const source = readFileSync(file, 'utf8')
    for (const [, typeOnly, specifier] of source.matchAll(
      /^(?:import|export)\s+(type\s+)?[^;'"]*?from\s+'([^']+)'/gms,
    )) {
      if (typeOnly !== undefined || specifier === undefined) continue
      if (specifier.startsWith('.')) pending.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')))
      else packages.add(specifier)
    }
  }
  return { files: new Set([...files].map((file) => relative(root, file))), packages }
}

describe('the durable entry point', () => {
  it('is not loaded by the main entry point, which stays importable without the durable SDK', () => {
    const { files, packages } = runtimeImports('lib/index.ts')

    expect([...files].filter((file) => file.startsWith('lib/durable/'))).toEqual([])
    expect([...packages].filter((name) => /durable-execution|client-lambda/.test(name))).toEqual([])
  })

  it('loads neither durable execution SDK when it is imported: the Lambda client is its only new peer', () => {
    const { packages } = runtimeImports('lib/durable/index.ts')

    expect([...packages].filter((name) => name.startsWith('@aws/'))).toEqual([])
    expect(packages).toContain('@aws-sdk/client-lambda')
  })

  it('is a subpath of the package, with the SDKs as optional peers', () => {
    expect(packageJson.exports['./durable'].import.default).toBe('./dist/esm/durable/index.js')
    expect(packageJson.exports['./durable'].require.default).toBe('./dist/cjs/durable/index.js')
    expect(packageJson.typesVersions['*'].durable).toEqual(['./dist/cjs/durable/index.d.ts'])
    for (const peer of ['@aws/durable-execution-sdk-js', '@aws-sdk/client-lambda'])
      expect(packageJson.peerDependenciesMeta[peer]).toEqual({ optional: true })
    expect(packageJson.dependencies).toBeUndefined()
  })
})

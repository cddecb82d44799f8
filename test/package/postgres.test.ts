import { readFile } from 'node:fs/promises'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))

async function bundledInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [new URL(`../../lib/${entry}`, import.meta.url).pathname],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    // Only the SDK and Middy stay external (peers the Lambda brings); everything else must be bundled.
    external: ['@aws-sdk/*', '@middy/*'],
    logLevel: 'silent',
  })
  return Object.keys(result.metafile.inputs)
}

describe('the PostgreSQL store and the store contract ship as subpaths', () => {
  it.each(['postgres', 'testing'])(
    'exports lambda-idempotency/%s with its types, to import and to require',
    (name) => {
      expect(pkg.exports[`./${name}`]).toEqual({
        import: { types: `./dist/esm/${name}/index.d.ts`, default: `./dist/esm/${name}/index.js` },
        require: { types: `./dist/cjs/${name}/index.d.ts`, default: `./dist/cjs/${name}/index.js` },
      })
      expect(pkg.typesVersions['*'][name]).toEqual([`./dist/cjs/${name}/index.d.ts`])
    },
  )

  it('asks for pg only as an optional peer, and ships the schema as SQL', () => {
    expect(pkg.peerDependencies.pg).toEqual(expect.any(String))
    expect(pkg.peerDependenciesMeta.pg).toEqual({ optional: true })
    expect(pkg.dependencies?.pg).toBeUndefined()
    expect(pkg.files).toContain('sql')
  })

  it('keeps pg, the PostgreSQL store and the contract out of a bundle of the main entry point', async () => {
    const inputs = await bundledInputs('index.ts')
    expect(inputs.filter((path) => /node_modules\/pg/.test(path))).toEqual([])
    expect(inputs.filter((path) => /lib\/(postgres|testing)\//.test(path))).toEqual([])
  })

  it('needs no pg code in the PostgreSQL store itself: the application passes its pool', async () => {
    const inputs = await bundledInputs('postgres/index.ts')
    expect(inputs.some((path) => path.includes('lib/postgres/store.ts'))).toBe(true)
    expect(inputs.filter((path) => /node_modules\//.test(path))).toEqual([])
  })

  it('imports no test runner in the contract: it registers with the describe and it it is given', async () => {
    const inputs = await bundledInputs('testing/index.ts')
    expect(inputs.filter((path) => /node_modules\//.test(path))).toEqual([])
  })
})

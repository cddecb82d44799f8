import { readFile } from 'node:fs/promises'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))

describe('the CDK construct ships beside the runtime, never inside it', () => {
  it('is exported as lambda-idempotency/cdk, with its types, to import and to require', () => {
    expect(pkg.exports['./cdk']).toEqual({
      import: { types: './dist/esm/cdk/index.d.ts', default: './dist/esm/cdk/index.js' },
      require: { types: './dist/cjs/cdk/index.d.ts', default: './dist/cjs/cdk/index.js' },
    })
  })

  it('asks for aws-cdk-lib and constructs only as optional peers, so Lambda installs skip them', () => {
    for (const name of ['aws-cdk-lib', 'constructs']) {
      expect(pkg.peerDependencies[name]).toEqual(expect.any(String))
      expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true })
      expect(pkg.dependencies?.[name]).toBeUndefined()
    }
  })

  it('keeps aws-cdk-lib and constructs out of a bundle of the main entry point', async () => {
    const result = await build({
      entryPoints: [new URL('../../lib/index.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      // Only the SDK and Middy stay external (peers the Lambda brings); everything else must be bundled.
      external: ['@aws-sdk/*', '@middy/*'],
      logLevel: 'silent',
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((path) => path.includes('lib/index.ts'))).toBe(true)
    expect(inputs.filter((path) => /node_modules\/(aws-cdk-lib|constructs)\//.test(path))).toEqual([])
    expect(inputs.filter((path) => path.includes('lib/cdk/'))).toEqual([])
  })
})

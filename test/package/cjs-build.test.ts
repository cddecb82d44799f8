import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { transform } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { CJS_TRANSFORM } from '../../scripts/build/cjs-options.js'

const root = join(import.meta.dirname, '../..')
const sources = readdirSync(join(root, 'lib'), { recursive: true, encoding: 'utf8' }).filter(
  (file) => file.endsWith('.ts') && !file.endsWith('.d.ts'),
)

/** A file of lib/ as the CommonJS build (scripts/build/cjs.ts) writes it. */
async function commonJsOf(file: string): Promise<string> {
  const source = readFileSync(join(root, 'lib', file), 'utf8')
  return (await transform(source, { ...CJS_TRANSFORM, loader: 'ts', sourcefile: file })).code
}

// Jest runs CommonJS in a vm context without a dynamic import callback (unless --experimental-vm-modules), so an
// import() left in the CommonJS build throws there: createIdempotencyTable failed on its first line under jest.
describe('the CommonJS build', () => {
  it('has no import(): each lazy load is a require(), which jest can run', async () => {
    const withImport: string[] = []
    for (const file of sources) if (/\bimport\(/.test(await commonJsOf(file))) withImport.push(file)

    expect(withImport).toEqual([])
  })

  it('still loads the testing helpers lazily, so the store contract needs no AWS SDK', async () => {
    const code = await commonJsOf('testing/dynamodb-local.ts')

    expect(code).not.toMatch(/^(var|const) \w+ = require\("\.\.\/local\/table\.js"\)/m)
    expect(code).toContain('require("../local/table.js")')
  })
})

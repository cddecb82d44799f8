import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { build } from 'esbuild'
import { CJS_TRANSFORM } from './cjs-options.js'

/**
 * The CommonJS half of the dual build: runs after `tsc -p tsconfig.build.json` has written dist/esm (ESM and
 * declarations). esbuild transpiles each source file on its own (no bundling, so the two copies keep the same
 * module layout); the declarations carry no module format of their own, so the ESM ones are copied, and a
 * package.json of type commonjs makes both the .js and the .d.ts files under dist/cjs CommonJS to Node and tsc.
 */
const root = join(import.meta.dirname, '../..')
const sourceDir = join(root, 'lib')
const esmDir = join(root, 'dist/esm')
const cjsDir = join(root, 'dist/cjs')

const sources = await filesUnder(sourceDir, (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
await build({
  entryPoints: sources.map((file) => join(sourceDir, file)),
  outdir: cjsDir,
  outbase: sourceDir,
  ...CJS_TRANSFORM,
  logLevel: 'warning',
})
for (const file of await filesUnder(esmDir, (name) => name.endsWith('.d.ts'))) {
  await mkdir(dirname(join(cjsDir, file)), { recursive: true })
  await copyFile(join(esmDir, file), join(cjsDir, file))
}
await writeFile(join(cjsDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`)

async function filesUnder(dir: string, wanted: (name: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && wanted(entry.name))
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
}

import type { TransformOptions } from 'esbuild'

/**
 * How scripts/build/cjs.ts turns each file of lib/ into its CommonJS twin (test/package/cjs-build.test.ts checks
 * its output). `import()` becomes `require()`: jest runs CommonJS in a vm context that has no dynamic import
 * callback unless started with --experimental-vm-modules, so a lazy `import()` threw there; and a CommonJS app
 * then loads a peer's CommonJS build, not its ESM twin beside the copy it requires itself.
 */
export const CJS_TRANSFORM = {
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: { 'dynamic-import': false },
} as const satisfies TransformOptions

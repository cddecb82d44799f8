import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '../..')

/**
 * Every package a module reaches, type-only imports included (a declaration file keeps them, so a user's
 * compiler needs those packages too), following relative imports through lib/.
 */
function reachedPackages(entry: string): { packages: Set<string>; files: Set<string> } {
  const packages = new Set<string>()
  const files = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    const source = readFileSync(file, 'utf8')
    for (const [, specifier = ''] of source.matchAll(/\bfrom '([^']+)'/g)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
      else if (!specifier.startsWith('node:'))
        packages.add(
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        )
    }
  }
  visit(join(root, 'lib', entry))
  return { packages, files: new Set([...files].map((file) => relative(join(root, 'lib'), file))) }
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

describe('the pipelines entry points stand alone per install set', () => {
  it.each(['pipelines', 'pipelines/dynamodb', 'pipelines/postgres', 'pipelines/s3'])(
    'exports lambda-idempotency/%s with its types, to import and to require',
    (name) => {
      expect(pkg.exports[`./${name}`]).toEqual({
        import: { types: `./dist/esm/${name}/index.d.ts`, default: `./dist/esm/${name}/index.js` },
        require: { types: `./dist/cjs/${name}/index.d.ts`, default: `./dist/cjs/${name}/index.js` },
      })
      expect(pkg.typesVersions['*'][name]).toEqual([`./dist/cjs/${name}/index.d.ts`])
    },
  )

  it('loads no backend from lambda-idempotency/pipelines: no SDK, no pg, no helper of any store', () => {
    const { packages, files } = reachedPackages('pipelines/index.ts')
    expect([...packages]).toEqual([])
    expect(
      [...files].filter((file) => /^(dynamodb|postgres|pipelines\/(dynamodb|postgres|s3))\//.test(file)),
    ).toEqual([])
  })

  it('needs only the DynamoDB clients for lambda-idempotency/pipelines/dynamodb', () => {
    const { packages, files } = reachedPackages('pipelines/dynamodb/index.ts')
    expect([...packages].sort()).toEqual(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'])
    expect([...files].filter((file) => /^(postgres|pipelines\/(postgres|s3))\//.test(file))).toEqual([])
  })

  it('needs no package for lambda-idempotency/pipelines/postgres: the application brings its pool', () => {
    const { packages, files } = reachedPackages('pipelines/postgres/index.ts')
    expect([...packages]).toEqual([])
    expect([...files].filter((file) => /^(dynamodb|pipelines\/(dynamodb|s3))\//.test(file))).toEqual([])
  })

  it('needs only the S3 client for lambda-idempotency/pipelines/s3', () => {
    const { packages, files } = reachedPackages('pipelines/s3/index.ts')
    expect([...packages]).toEqual(['@aws-sdk/client-s3'])
    expect(
      [...files].filter((file) => /^(dynamodb|postgres|pipelines\/(dynamodb|postgres))\//.test(file)),
    ).toEqual([])
  })
})

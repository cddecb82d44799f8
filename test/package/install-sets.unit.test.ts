import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { exportedSubpaths } from '../../scripts/smoke/check-install-sets.js'
import { INSTALL_SETS, importPath, installLines, packageName } from '../../scripts/smoke/install-sets.js'

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
const packaging = read('docs/packaging.md')
const pkg = JSON.parse(read('package.json')) as {
  peerDependencies: Record<string, string>
  devDependencies: Record<string, string>
}

/**
 * The install sets `npm run check:package` type-checks one by one (scripts/smoke/install-sets.ts) are the ones
 * docs/packaging.md shows, and between them cover every subpath the package exports. The type checks themselves
 * need the packed tarball: they run in `npm run check:package`.
 */
describe('the install sets', () => {
  it('cover every subpath package.json exports, and name no other', () => {
    const exported = exportedSubpaths()
    const covered = new Set(INSTALL_SETS.flatMap((set) => set.entryPoints))

    expect(exported.filter((subpath) => !covered.has(subpath))).toEqual([])
    expect([...covered].filter((subpath) => !exported.includes(subpath))).toEqual([])
  })

  it.each(INSTALL_SETS.map((set) => [set.id, set] as const))(
    '%s: docs/packaging.md shows its install lines, and its consumer imports what it names',
    (id, set) => {
      const row = packaging.split('\n').find((line) => line.startsWith(`| ${set.use} `))
      expect(row, `a row for "${set.use}"`).toBeDefined()
      expect(row).toContain(
        installLines(set)
          .map((line) => `\`${line}\``)
          .join('<br>'),
      )
      for (const subpath of set.entryPoints) expect(row).toContain(`\`${importPath(subpath)}\``)

      const consumer = `scripts/smoke/consumer/sets/${id}.ts`
      expect(existsSync(new URL(`../../${consumer}`, import.meta.url)), consumer).toBe(true)
      const source = read(consumer)
      for (const subpath of set.entryPoints) expect(source).toContain(`from '${importPath(subpath)}'`)
    },
  )

  it('list only packages this repository has, as peers or dev dependencies, to link from', () => {
    const known = new Set([...Object.keys(pkg.peerDependencies), ...Object.keys(pkg.devDependencies)])
    const listed = INSTALL_SETS.flatMap((set) => [...set.install, ...(set.installDev ?? [])]).map(packageName)

    expect(listed.filter((name) => !known.has(name))).toEqual([])
  })
})

import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findCycles, type ImportGraph, importGraph, importsInto } from '../support/import-graph.js'

/**
 * lib/'s imports run one way: no circle anywhere (type-only and dynamic imports count, since each one is a
 * file that cannot be understood, moved or bundled without the other), and the core never reaches up into a
 * feature. The core is lib/'s root files (lib/index.ts aside: it is the root entry point, and re-exports what
 * features define) and the folders every feature builds on; every other folder is a feature, so a new one is
 * checked the day it appears.
 */
const ROOT = join(import.meta.dirname, '../..')
const CORE_FOLDERS = ['lib/dynamodb', 'lib/memory', 'lib/middy', 'lib/store']
const FEATURES = readdirSync(join(ROOT, 'lib'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => `lib/${entry.name}`)
  .filter((folder) => !CORE_FOLDERS.includes(folder))

const isRootCoreFile = (file: string) => /^lib\/[^/]+\.ts$/.test(file) && file !== 'lib/index.ts'
const inCoreFolder = (file: string) => CORE_FOLDERS.some((folder) => file.startsWith(`${folder}/`))
const loops = (graph: ImportGraph) => findCycles(graph).map((cycle) => cycle.join(' → '))

describe("lib/'s import structure", () => {
  const lib = importGraph(ROOT, 'lib')

  it('reads every file of lib/, with the imports it makes', () => {
    expect(lib.get('lib/index.ts')).toContain('lib/make-idempotent.ts')
    expect(lib.get('lib/cli/main.ts')?.length).toBeGreaterThan(0)
    expect(FEATURES).toEqual(expect.arrayContaining(['lib/http', 'lib/durable', 'lib/events', 'lib/cli']))
  })

  it('has no import cycle, type-only and dynamic imports included', () => {
    expect(loops(lib)).toEqual([])
  })

  it('has no import cycle inside the operator CLI', () => {
    expect(loops(importGraph(ROOT, 'lib/cli'))).toEqual([])
  })

  it('never imports a feature folder from a root-level core file (lib/*.ts but lib/index.ts)', () => {
    expect(importsInto(lib, isRootCoreFile, FEATURES)).toEqual([])
  })

  it(`never imports a feature folder from the core folders (${CORE_FOLDERS.join(', ')})`, () => {
    expect(importsInto(lib, inCoreFolder, FEATURES)).toEqual([])
  })
})

describe('the import cycle finder', () => {
  const graph = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges))

  it('finds a seeded cycle and names its files in import order', () => {
    const seeded = graph({
      'lib/a.ts': ['lib/b.ts', 'lib/d.ts'],
      'lib/b.ts': ['lib/c.ts'],
      'lib/c.ts': ['lib/a.ts'],
      'lib/d.ts': [],
    })
    expect(loops(seeded)).toEqual(['lib/a.ts → lib/b.ts → lib/c.ts → lib/a.ts'])
  })

  it('finds every separate cycle, a file importing itself, and the three-file circle through the CLI', () => {
    const seeded = graph({
      'lib/cli/store-choice.ts': ['lib/cli/postgres-backend.ts'],
      'lib/cli/postgres-backend.ts': ['lib/cli/postgres-errors.ts'],
      'lib/cli/postgres-errors.ts': ['lib/cli/store-choice.ts'],
      'lib/self.ts': ['lib/self.ts'],
      'lib/x.ts': ['lib/y.ts'],
      'lib/y.ts': ['lib/x.ts', 'lib/cli/store-choice.ts'],
    })
    expect(loops(seeded).sort()).toEqual([
      'lib/cli/postgres-backend.ts → lib/cli/postgres-errors.ts → lib/cli/store-choice.ts → lib/cli/postgres-backend.ts',
      'lib/self.ts → lib/self.ts',
      'lib/x.ts → lib/y.ts → lib/x.ts',
    ])
  })

  it('finds none where imports run one way, shared imports (a diamond) and imports out of the graph included', () => {
    const oneWay = graph({
      'lib/top.ts': ['lib/left.ts', 'lib/right.ts'],
      'lib/left.ts': ['lib/bottom.ts'],
      'lib/right.ts': ['lib/bottom.ts', 'lib/elsewhere.ts'],
      'lib/bottom.ts': [],
    })
    expect(loops(oneWay)).toEqual([])
  })

  it('lists what core files import from features, and nothing else', () => {
    const seeded = graph({
      'lib/engine.ts': ['lib/http/problem.ts', 'lib/store/interface.ts'],
      'lib/index.ts': ['lib/http/errors.ts'],
      'lib/http/problem.ts': ['lib/engine.ts'],
    })
    expect(importsInto(seeded, isRootCoreFile, ['lib/http'])).toEqual(['lib/engine.ts → lib/http/problem.ts'])
  })
})

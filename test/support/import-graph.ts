import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import ts from 'typescript'

/** File → the files it imports, as paths relative to the graph's root folder's parent (`lib/engine.ts`). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>

/**
 * Every relative import of every .ts file under `folder`: static, `import type`, `export ... from` and dynamic
 * `import('...')`, read by TypeScript's own pre-processor (so imports in comments and strings do not count).
 * `./x.js` is the source `./x.ts`, as NodeNext resolves it. Imports of packages are left out.
 */
export function importGraph(root: string, folder: string): ImportGraph {
  const graph = new Map<string, string[]>()
  for (const file of tsFilesUnder(join(root, folder))) {
    const from = relative(root, file).split(sep).join('/')
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const imports = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => {
        const target = join(dirname(file), specifier.replace(/\.js$/, '.ts'))
        if (!existsSync(target)) throw new Error(`${from} imports ${specifier}, which is not a file`)
        return relative(root, target).split(sep).join('/')
      })
    graph.set(from, [...new Set(imports)])
  }
  return graph
}

function tsFilesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

/**
 * The import cycles of `graph`, one per strongly connected component (Tarjan), each as the files of one
 * concrete loop through it, first file repeated last: `[a, b, a]`. A file importing itself is a cycle of one.
 * Edges to files outside the graph are ignored. Empty when the imports run one way only.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []

  function visit(file: string): void {
    index.set(file, index.size)
    low.set(file, index.get(file) as number)
    stack.push(file)
    onStack.add(file)
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue
      if (!index.has(next)) {
        visit(next)
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number))
      } else if (onStack.has(next))
        low.set(file, Math.min(low.get(file) as number, index.get(next) as number))
    }
    if (low.get(file) !== index.get(file)) return
    const component: string[] = []
    let member: string | undefined
    do {
      member = stack.pop() as string
      onStack.delete(member)
      component.push(member)
    } while (member !== file)
    const selfImport = graph.get(file)?.includes(file) ?? false
    if (component.length > 1 || selfImport) components.push(component)
  }

  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file)
  return components.map((component) => loopThrough(graph, new Set(component)))
}

/** One loop inside a strongly connected component: from its first file (by name), back to it. */
function loopThrough(graph: ImportGraph, component: ReadonlySet<string>): string[] {
  const start = [...component].sort()[0] as string
  const cameFrom = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const file = queue.shift() as string
    for (const next of graph.get(file) ?? []) {
      if (!component.has(next)) continue
      if (next === start) {
        const loop = [start]
        for (let at = file; at !== start; at = cameFrom.get(at) as string) loop.splice(1, 0, at)
        return [...loop, start]
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file)
        queue.push(next)
      }
    }
  }
  return [start, start]
}

/** The imports `from` files make into `into` folders, as `importer → imported` lines. */
export function importsInto(
  graph: ImportGraph,
  from: (file: string) => boolean,
  into: readonly string[],
): string[] {
  return [...graph].flatMap(([file, imports]) =>
    from(file)
      ? imports
          .filter((target) => into.some((folder) => target.startsWith(`${folder}/`)))
          .map((t) => `${file} → ${t}`)
      : [],
  )
}

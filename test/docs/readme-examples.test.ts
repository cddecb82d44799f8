import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'

/**
 * Every ```ts block in the README, functions/README.md and docs/*.md is type-checked as its own module, with
 * `lambda-idempotency` and every subpath package.json exports mapped to the sources, so an example cannot drift
 * from the API it shows.
 * A block that is deliberately partial is fenced as ```ts no-check: <why>; the reason is required.
 */
const root = join(import.meta.dirname, '../..')
const markdownFiles = [
  'README.md',
  'functions/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

interface Example {
  readonly name: string
  readonly path: string
  readonly code: string
  readonly firstLine: number
  readonly noCheck?: string
}

const FENCE = /^```(?:ts|typescript)([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm

function examplesIn(markdownPath: string): Example[] {
  const text = readFileSync(join(root, markdownPath), 'utf8')
  return [...text.matchAll(FENCE)].map((match) => {
    const firstLine = text.slice(0, match.index).split('\n').length + 1
    const info = (match[1] ?? '').trim()
    const noCheck = /^no-check\b:?\s*(.*)$/.exec(info)
    return {
      name: `${markdownPath}:${firstLine}`,
      path: join(root, '.examples', `${markdownPath.replace(/[/.]/g, '_')}_${firstLine}.ts`),
      code: match[2] ?? '',
      firstLine,
      ...(noCheck && { noCheck: noCheck[1] ?? '' }),
    }
  })
}

const examples = markdownFiles.flatMap(examplesIn)
const checked = examples.filter((example) => example.noCheck === undefined)

/** `lambda-idempotency` and every subpath in package.json's `exports`, mapped to its source: none can be missed. */
function packagePaths(): Record<string, string[]> {
  const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>
  }
  const paths: Record<string, string[]> = {}
  for (const subpath of Object.keys(exports)) {
    if (subpath === './package.json') continue
    const name = subpath === '.' ? 'lambda-idempotency' : `lambda-idempotency/${subpath.slice(2)}`
    paths[name] = [subpath === '.' ? './lib/index.ts' : `./lib/${subpath.slice(2)}/index.ts`]
  }
  return paths
}

function compilerOptions(): ts.CompilerOptions {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(
    {
      ...config,
      compilerOptions: {
        ...config.compilerOptions,
        noEmit: true,
        moduleDetection: 'force',
        paths: packagePaths(),
      },
      include: [],
    },
    ts.sys,
    root,
  )
  return parsed.options
}

/** Diagnostics per example, from one program: the type checker loads the AWS SDK and CDK types once. */
function typeCheck(): Map<string, string[]> {
  const options = compilerOptions()
  const virtual = new Map(checked.map((example) => [example.path, example]))
  const host = ts.createCompilerHost(options)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (file) => virtual.has(file) || fileExists(file)
  host.readFile = (file) => virtual.get(file)?.code ?? readFile(file)
  host.getSourceFile = (file, language, ...rest) => {
    const example = virtual.get(file)
    if (example === undefined) return getSourceFile(file, language, ...rest)
    return ts.createSourceFile(file, example.code, language, true, ts.ScriptKind.TS)
  }
  const program = ts.createProgram([...virtual.keys()], options, host)
  const found = new Map<string, string[]>()
  for (const example of checked) {
    const source = program.getSourceFile(example.path)
    const diagnostics = source ? ts.getPreEmitDiagnostics(program, source) : []
    found.set(
      example.path,
      diagnostics.map((diagnostic) => describeDiagnostic(example, diagnostic)),
    )
  }
  return found
}

function describeDiagnostic(example: Example, diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
  if (diagnostic.file === undefined || diagnostic.start === undefined) return message
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
  const where = diagnostic.file.fileName === example.path ? example.name.replace(/\d+$/, '') : ''
  const at = where ? `${where}${example.firstLine + line}` : relative(root, diagnostic.file.fileName)
  return `${at}: ${message}`
}

describe('code examples in the README and docs', () => {
  let diagnostics: Map<string, string[]>

  beforeAll(() => {
    diagnostics = typeCheck()
  }, 300_000)

  it('has TypeScript examples to check, and a reason for each one left unchecked', () => {
    expect(checked.length).toBeGreaterThan(0)
    for (const example of examples.filter((e) => e.noCheck !== undefined))
      expect({ example: example.name, reason: example.noCheck }).toEqual({
        example: example.name,
        reason: expect.stringMatching(/\w{3,}/),
      })
  })

  it.each(checked.map((example) => [example.name, example] as const))('%s type-checks', (_name, example) => {
    expect(diagnostics.get(example.path)).toEqual([])
  })
})

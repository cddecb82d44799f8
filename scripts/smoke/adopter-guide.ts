import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * docs/use-in-your-project.md read as a script, so the guide and what CI runs cannot drift apart. In order:
 * - a code block whose first line is a `// <path>` comment is a file, written out as it stands;
 * - every `sh` block is commands, run line by line (a line's trailing `# ...` is a comment for the reader);
 * - a `text` block is output: the command just before it must print each line, `…` standing for any text;
 * - `<!-- not run: <why> -->` before an `sh` block skips it (only `cdk bootstrap` and `cdk deploy` may be).
 * Any other code block is refused: the guide has no code the smoke does not use.
 */
export type GuideItem =
  | { readonly kind: 'file'; readonly path: string; readonly text: string }
  | { readonly kind: 'command'; readonly line: string; readonly at: number }
  | { readonly kind: 'output'; readonly fragments: readonly string[][]; readonly at: number }
  | { readonly kind: 'not-run'; readonly lines: readonly string[]; readonly why: string }

const root = join(import.meta.dirname, '../..')
export const GUIDE_PATH = 'docs/use-in-your-project.md'
const FENCE = /^```(\w*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm
const FILE_MARKER = /^\/\/ ([\w./-]+)\n/
const NOT_RUN = /<!-- not run: ([^>]+?) -->\s*$/
/** What a not-run block may hold: the deploy, which needs an AWS account. */
const DEPLOY_ONLY = /^npx cdk (bootstrap|deploy)$/

export function readGuide(): GuideItem[] {
  const markdown = readFileSync(join(root, GUIDE_PATH), 'utf8')
  const items: GuideItem[] = []
  for (const match of markdown.matchAll(FENCE)) {
    const [, language = '', body = ''] = match
    const at = markdown.slice(0, match.index).split('\n').length
    const where = `${GUIDE_PATH}:${at}`
    const notRun = NOT_RUN.exec(markdown.slice(0, match.index).trimEnd())
    if (language === 'sh') {
      const commands = commandLines(body, at + 1)
      const lines = commands.map((command) => command.line)
      if (notRun === null) items.push(...commands)
      else if (lines.every((line) => DEPLOY_ONLY.test(line)))
        items.push({ kind: 'not-run', lines, why: notRun[1] ?? '' })
      else throw new Error(`${where}: only cdk bootstrap and deploy may go unrun, not ${lines.join('; ')}`)
    } else if (language === 'text') {
      const fragments = body
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => line.split('…').map((fragment) => fragment.trim()))
      items.push({ kind: 'output', fragments, at })
    } else {
      const file = FILE_MARKER.exec(body)
      if (file === null) throw new Error(`${where}: a ${language} block must start with a // <path> comment`)
      items.push({ kind: 'file', path: file[1] ?? '', text: body })
    }
  }
  return items
}

/** The commands of an `sh` block, without the comments written for the reader, each with its line number. */
function commandLines(body: string, firstLine: number): { kind: 'command'; line: string; at: number }[] {
  return body
    .split('\n')
    .map((line, index) => ({
      kind: 'command' as const,
      line: line.replace(/\s+#\s.*$/, '').trim(),
      at: firstLine + index,
    }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
}

/** The README's Install line, which the guide must repeat: an adopter reads one or the other. */
export function readmeInstallLine(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Install\n'))
  const install = /^```sh\n(npm install [^\n#]+)/m.exec(section)
  if (install?.[1] === undefined) throw new Error("README.md's Install section has no npm install line")
  return install[1].trim()
}

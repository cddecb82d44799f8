import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * Every relative link in the project's Markdown points at a file that exists, and every `#anchor` at a heading
 * of that file (GitHub's slugs), so a reader never follows a link into nothing after a guide moves.
 */
const root = join(import.meta.dirname, '../..')
const markdown = [
  'README.md',
  'CONTRIBUTING.md',
  'CHANGELOG.md',
  'functions/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
].filter((path) => existsSync(join(root, path)))

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(path: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  // Fenced blocks only: a heading's inline code is part of its anchor (`## 503 \`store-unavailable\``).
  const text = withoutFences(readFileSync(join(root, path), 'utf8'))
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = (heading ?? '')
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

/** Fenced blocks and inline code hold example links and headings that are not the document's own. */
function withoutCode(text: string): string {
  return withoutFences(text).replace(/`[^`\n]*`/g, '')
}

function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[\s\S]*?^\1[ \t]*$/gm, '')
}

function linksIn(path: string): { target: string; line: number }[] {
  const text = readFileSync(join(root, path), 'utf8')
  const code = withoutCode(text)
  return [...code.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => ({
    target: match[1] ?? '',
    line: code.slice(0, match.index).split('\n').length,
  }))
}

describe('heading anchors', () => {
  it('keep the words of inline code in a heading, as GitHub does', () => {
    expect(anchorsOf('docs/troubleshooting.md')).toContain('503-store-unavailable')
  })
})

describe('links in the Markdown', () => {
  it.each(markdown)('%s links only to files and headings that exist', (path) => {
    const broken: string[] = []
    for (const { target, line } of linksIn(path)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue
      const [file = '', anchor] = target.split('#')
      const resolved = file === '' ? join(root, path) : join(root, dirname(path), decodeURI(file))
      const shown = relative(root, resolved)
      if (!existsSync(resolved)) {
        broken.push(`${path} (near line ${line}): ${target} → no file ${shown}`)
        continue
      }
      if (anchor === undefined || anchor === '' || statSync(resolved).isDirectory()) continue
      if (!resolved.endsWith('.md')) continue
      if (!anchorsOf(shown).has(decodeURIComponent(anchor)))
        broken.push(`${path} (near line ${line}): ${target} → no heading #${anchor} in ${shown}`)
    }
    expect(broken).toEqual([])
  })
})

import type { Parsed } from './request-body.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * JSON as I-JSON (RFC 7493) wants it for money: UTF-8 only, and every member name once per object. JSON.parse
 * keeps the last of two `amount`s while other parsers (a WAF, an audit log) keep the first, so a duplicate is
 * an ambiguity a payment must not be built on. Base64 bodies (binary content types) are decoded strictly too.
 */
export function parseStrictJson(body: string, isBase64Encoded: boolean): Parsed<unknown> {
  let text = body
  if (isBase64Encoded) {
    try {
      text = utf8.decode(Buffer.from(body, 'base64'))
    } catch {
      return { ok: false, detail: 'The body is not valid UTF-8' }
    }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, detail: 'The body is not valid JSON' }
  }
  const twice = duplicateName(text)
  if (twice !== undefined) return { ok: false, detail: `The body names "${twice}" more than once` }
  return { ok: true, value }
}

/** The first member name repeated within one object of `json`, which JSON.parse has already accepted. */
function duplicateName(json: string): string | undefined {
  // One entry per open object (its names so far) or array (null), kept on a list: bodies nest deep.
  const open: (Set<string> | null)[] = []
  for (let i = 0; i < json.length; i++) {
    const char = json[i]
    if (char === '{') open.push(new Set())
    else if (char === '[') open.push(null)
    else if (char === '}' || char === ']') open.pop()
    else if (char === '"') {
      const start = i
      for (i++; json[i] !== '"'; i++) if (json[i] === '\\') i++
      let next = i + 1
      while (' \t\n\r'.includes(json[next] as string)) next++
      const names = open.at(-1)
      if (names && json[next] === ':') {
        const name = JSON.parse(json.slice(start, i + 1)) as string
        if (names.has(name)) return name
        names.add(name)
      }
    }
  }
  return undefined
}

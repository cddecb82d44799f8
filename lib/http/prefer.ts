/**
 * The `wait` preference of RFC 7240 in seconds, or undefined when absent or unusable. Field lines may hold
 * several preferences (`respond-async, wait=5`), each with parameters after `;`; names are case-insensitive,
 * values a token or quoted string, and only the first `wait` counts (RFC 7240 §2). A preference the server
 * cannot use is ignored, never an error.
 */
export function preferredWaitSeconds(fieldLines: readonly string[]): number | undefined {
  const value = preferenceValue(fieldLines, 'wait')
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

/** Whether the client sent the `respond-async` preference (RFC 7240 §4.1): it would rather have a 202. */
export function prefersRespondAsync(fieldLines: readonly string[]): boolean {
  return preferenceValue(fieldLines, 'respond-async') !== undefined
}

/** The value of the first preference called `name` ('' when it has none), or undefined when it is absent. */
function preferenceValue(fieldLines: readonly string[], name: string): string | undefined {
  for (const preference of splitOutsideQuotes(fieldLines.join(','), ',')) {
    const [nameAndValue = ''] = splitOutsideQuotes(preference, ';')
    const equals = nameAndValue.indexOf('=')
    const found = (equals === -1 ? nameAndValue : nameAndValue.slice(0, equals)).trim().toLowerCase()
    if (found !== name) continue
    return unquote(equals === -1 ? '' : nameAndValue.slice(equals + 1).trim())
  }
  return undefined
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (quoted && char === '\\') {
      current += char + (text[++i] ?? '')
      continue
    }
    if (char === '"') quoted = !quoted
    if (char === separator && !quoted) {
      parts.push(current)
      current = ''
    } else {
      current += char
    }
  }
  parts.push(current)
  return parts
}

function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value
  return value.slice(1, -1).replace(/\\(.)/g, '$1')
}

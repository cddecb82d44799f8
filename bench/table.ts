/** One line of the results table: ours against theirs, and whether the target for it is met. */
export interface Row {
  readonly measure: string
  readonly ours: string
  readonly theirs: string
  readonly ratio: string
  readonly target: string
  readonly verdict: 'met' | 'MISSED' | '—'
}

export type Line = Row | { readonly section: string }

export const integer = (value: number) => Math.round(value).toLocaleString('en-US')
export const fixed = (value: number, digits = 1) => value.toFixed(digits)

function ratioText(ours: number, theirs: number): string {
  if (theirs === 0) return ours === 0 ? '—' : '∞'
  return (ours / theirs).toFixed(2)
}

/** A measure where smaller is better and the target is a ceiling on ours ÷ theirs. */
export function ratioRow(
  measure: string,
  ours: number,
  theirs: number,
  format: (value: number) => string,
  target?: { readonly maxRatio: number; readonly label: string },
): Row {
  return {
    measure,
    ours: format(ours),
    theirs: format(theirs),
    ratio: ratioText(ours, theirs),
    target: target === undefined ? 'none set' : `ours ÷ theirs ${target.label}`,
    verdict: target === undefined ? '—' : ours <= theirs * target.maxRatio ? 'met' : 'MISSED',
  }
}

/** Store calls: the target is both "no more than theirs" and "exactly the floor". */
export function callsRow(
  measure: string,
  floor: number,
  ours: readonly string[],
  theirs: readonly string[],
): Row {
  const describe = (calls: readonly string[]) =>
    calls.length === 0 ? '0' : `${calls.length} (${calls.join(', ')})`
  return {
    measure,
    ours: describe(ours),
    theirs: describe(theirs),
    ratio: ratioText(ours.length, theirs.length),
    target: `≤ theirs, = ${floor}`,
    verdict: ours.length <= theirs.length && ours.length === floor ? 'met' : 'MISSED',
  }
}

const cells = (values: readonly string[]) => `| ${values.join(' | ')} |`

export function renderTable(lines: readonly Line[]): string {
  const out = [
    cells(['measure', 'ours', 'Powertools 2.35.0', 'ours ÷ theirs', 'target', 'verdict']),
    cells(['---', '---:', '---:', '---:', '---', '---']),
  ]
  for (const line of lines) {
    if ('section' in line) out.push(cells([`**${line.section}**`, '', '', '', '', '']))
    else out.push(cells([line.measure, line.ours, line.theirs, line.ratio, line.target, line.verdict]))
  }
  return out.join('\n')
}

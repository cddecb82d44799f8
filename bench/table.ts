/** One line of the results table: ours against theirs, and whether the issue's target for it is met. */
export interface Row {
  readonly measure: string
  readonly ours: string
  readonly theirs: string
  readonly ratio: string
  readonly target: string
  readonly verdict: 'met' | 'MISSED' | '—'
}

export interface Section {
  readonly title: string
  readonly rows: readonly Row[]
}

export const integer = (value: number) => Math.round(value).toLocaleString('en-US')
export const fixed = (value: number, digits = 1) => value.toFixed(digits)

/** Two decimals, or three where two would hide which side of the target the ratio falls. */
function ratioText(ours: number, theirs: number, maxRatio?: number): string {
  if (theirs === 0) return ours === 0 ? '—' : '∞'
  const ratio = ours / theirs
  const nearTarget = maxRatio !== undefined && Math.abs(ratio - maxRatio) < 0.005
  return ratio.toFixed(nearTarget ? 3 : 2)
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
    ratio: ratioText(ours, theirs, target?.maxRatio),
    target: target === undefined ? 'none set' : `ratio ${target.label}`,
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

const HEADER = ['measure', 'ours', 'Powertools 2.35.0', 'ours ÷ theirs', 'target', 'verdict']
/** Numbers read best right-aligned; Biome's Markdown formatter pads and aligns tables the same way. */
const RIGHT_ALIGNED = [false, true, true, true, false, false]

const width = (text: string) => [...text].length

function renderTable(rows: readonly Row[]): string {
  const body = rows.map((row) => [row.measure, row.ours, row.theirs, row.ratio, row.target, row.verdict])
  const widths = HEADER.map((title, column) =>
    Math.max(3, width(title), ...body.map((cells) => width(cells[column] ?? ''))),
  )
  const pad = (cells: readonly string[]) =>
    `| ${cells
      .map((cell, column) => {
        const fill = ' '.repeat((widths[column] ?? 0) - width(cell))
        return RIGHT_ALIGNED[column] ? fill + cell : cell + fill
      })
      .join(' | ')} |`
  const rule = `| ${widths.map((w, column) => (RIGHT_ALIGNED[column] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`
  return [pad(HEADER), rule, ...body.map(pad)].join('\n')
}

/** Each section a bold title over its own table, so each table's columns fit its own contents. */
export function renderSections(sections: readonly Section[]): string {
  return sections.map((section) => `**${section.title}**\n\n${renderTable(section.rows)}`).join('\n\n')
}

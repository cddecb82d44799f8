import type { CliIo } from './io.js'

/** Cells of the bar: fits an 80-column terminal with the counts beside it. */
const BAR_WIDTH = 30

/**
 * Progress of a scan on stderr: a bar redrawn in place on a terminal, else one plain line per page (a log
 * file or CI output keeps every line, so a redrawn bar would only fill it with carriage returns).
 */
export function createProgress(io: CliIo, expectedItems: number | undefined) {
  const of = expectedItems === undefined ? '' : ` of ~${expectedItems}`
  return {
    update(scannedItems: number): void {
      if (!io.stderrIsTTY) {
        io.err(`scanned ${scannedItems} items${of}`)
        return
      }
      const fraction = expectedItems ? Math.min(1, scannedItems / expectedItems) : 0
      const filled = Math.round(fraction * BAR_WIDTH)
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`
      const percent = expectedItems ? ` ${Math.round(fraction * 100)}%` : ''
      io.errRaw(`\r${bar}${percent} scanned ${scannedItems} items${of}\x1b[K`)
    },
    done(): void {
      if (io.stderrIsTTY) io.errRaw('\n')
    },
  }
}

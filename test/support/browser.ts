import { existsSync } from 'node:fs'
import { type Browser, chromium, type Locator } from 'playwright-core'

/** Debian's chromium; .ci/run installs it when missing. */
const CHROMIUM = '/usr/bin/chromium'
/** Headless as root, and quiet: without the networking flags chromium keeps calling a network there is none of. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * The browser the console tests drive. A missing chromium throws at once, before the caller starts anything
 * else: a clear error, not a skipped test.
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`No chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does)`)
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** A table's rows, each cell under the text of its column heading. */
export async function rowsOf(table: Locator): Promise<Record<string, string>[]> {
  const headings = await table.getByRole('columnheader').allInnerTexts()
  const rows = await table.locator('tbody').getByRole('row').all()
  return Promise.all(
    rows.map(async (row) => {
      const cells = await row.locator('th, td').allInnerTexts()
      return Object.fromEntries(headings.map((heading, i) => [heading.trim(), cells[i] ?? '']))
    }),
  )
}

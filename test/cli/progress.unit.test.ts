import { describe, expect, it } from 'vitest'
import type { CliIo } from '../../lib/cli/io.js'
import { createProgress } from '../../lib/cli/progress.js'

function capture(stderrIsTTY: boolean) {
  const written: string[] = []
  const io: CliIo = {
    env: {},
    now: () => 0,
    out: () => undefined,
    err: (text) => written.push(`${text}\n`),
    errRaw: (text) => written.push(text),
    stderrIsTTY,
    ask: async () => undefined,
  }
  return { io, written }
}

describe('scan progress on stderr', () => {
  it('redraws one bar in place on a terminal and ends it with a newline', () => {
    const { io, written } = capture(true)
    const progress = createProgress(io, 200)
    progress.update(50)
    progress.update(200)
    progress.done()

    expect(written).toHaveLength(3)
    expect(written[0]).toMatch(/^\r\[#{8}-{22}\] 25% scanned 50 items of ~200/)
    expect(written[1]).toMatch(/^\r\[#{30}\] 100% scanned 200 items of ~200/)
    expect(written[2]).toBe('\n')
  })

  it('writes one plain line per page when stderr is a file or a pipe', () => {
    const { io, written } = capture(false)
    const progress = createProgress(io, undefined)
    progress.update(50)
    progress.update(80)
    progress.done()

    expect(written).toEqual(['scanned 50 items\n', 'scanned 80 items\n'])
  })
})

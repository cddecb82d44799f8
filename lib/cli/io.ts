import { createInterface } from 'node:readline'

/** What a command may touch of the outside world; one implementation for the process, tests spawn it. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Epoch milliseconds. */
  now(): number
  /** A line (or lines) of the command's answer, on stdout. */
  out(text: string): void
  /** Messages, prompts and plain progress lines, on stderr. */
  err(text: string): void
  /** Whether stderr is a terminal, so a progress bar may redraw itself in place. */
  readonly stderrIsTTY: boolean
  /** Raw text on stderr, without a newline (a progress bar's redraw). */
  errRaw(text: string): void
  /** Prints `question` on stderr and reads one line of stdin; undefined when stdin ends first. */
  ask(question: string): Promise<string | undefined>
}

export function processIo(): CliIo {
  return {
    env: process.env,
    now: Date.now,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    stderrIsTTY: process.stderr.isTTY === true,
    errRaw: (text) => process.stderr.write(text),
    ask: (question) => askLine(question),
  }
}

function askLine(question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, output: process.stderr, terminal: false })
    let answered = false
    process.stderr.write(question)
    lines.once('line', (line) => {
      answered = true
      // A terminal echoes the answer and its newline; a pipe does not, so end the prompt's line here.
      if (!process.stdin.isTTY) process.stderr.write('\n')
      lines.close()
      resolve(line)
    })
    lines.once('close', () => {
      if (!answered) resolve(undefined)
    })
  })
}

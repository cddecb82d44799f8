import { readFile } from 'node:fs/promises'
import { v7 as uuidv7 } from 'uuid'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runCli } from '../support/cli.js'
import { apiClient, startTestApi, type TestApi } from '../support/local-api.js'

/**
 * docs/operations.md walks an operator from a sample payment to its record. The command is read from the page
 * itself, so the page cannot drift from what the sample's handler scopes its keys by.
 */
async function documentedInspect(): Promise<string[]> {
  const page = await readFile(new URL('../../docs/operations.md', import.meta.url), 'utf8')
  const section = page.split("### The sample's payment, end to end")[1]?.split('\n### ')[0] ?? ''
  const command = /\$ npm run cli -- (inspect(?:.*\\\n)*.*)/.exec(section)?.[1]
  if (command === undefined) throw new Error('docs/operations.md has no sample inspect command')
  return shellWords(command.replaceAll('\\\n', ' '))
}

/** Splits a command line as sh would, for the quoting the page uses: '...' and "...". */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
}

/** The page's command with this run's endpoint, table and key in place of the ones it printed. */
function withThisRun(words: string[], values: Record<string, string>): string[] {
  return words.map((word, index) => {
    const flag = words[index - 1]?.replace(/^--/, '') ?? ''
    if (word === '$KEY') return values.key as string
    return flag in values ? (values[flag] as string) : word
  })
}

describe("the operator CLI on the sample's own payment", () => {
  let api: TestApi
  beforeAll(async () => {
    api = await startTestApi()
  })
  afterAll(() => api?.stop())

  it('finds the record of a payment made through npm start with the command docs/operations.md gives', async () => {
    const key = uuidv7()
    const paid = await apiClient(api.url).pay({ user: 'asha', key })
    expect(paid.status).toBe(201)
    const run = { endpoint: inject('dynamodbEndpoint'), table: api.tables.idempotency, key }

    const { code, stdout } = await runCli(withThisRun(await documentedInspect(), run))

    expect(code).toBe(0)
    expect(stdout).toMatch(/State\s+COMPLETED/)
    expect(stdout).toContain((paid.json as { paymentId: string }).paymentId)
  })

  it('without the HTTP flags finds nothing, and the hint names the flags that would find it', async () => {
    const key = uuidv7()
    await apiClient(api.url).pay({ user: 'asha', key })
    const words = withThisRun(await documentedInspect(), {
      endpoint: inject('dynamodbEndpoint'),
      table: api.tables.idempotency,
      key,
    })
    const http = new Set(['--principal', '--method', '--route'])
    const withoutHttp = words.filter((word, i) => !http.has(word) && !http.has(words[i - 1] ?? ''))

    const { code, stderr } = await runCli(withoutHttp)

    expect(code).toBe(3)
    expect(stderr).toMatch(/--principal, --method and --route/)
  })
})

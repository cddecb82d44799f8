import { execFile } from 'node:child_process'
import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHints } from '../../scripts/local-api/hints.js'
import { uniqueTableName } from '../support/dynamodb.js'
import { startTestApi, type TestApi } from '../support/local-api.js'

/**
 * What `npm start` prints for a person to paste. A slim machine has curl and a shell, and no uuidgen (this one
 * has none either): the commands must work there, as printed, the first time.
 */
let api: TestApi
let slimPath: string

beforeAll(async () => {
  api = await startTestApi({
    payoutTables: { payouts: uniqueTableName('hints-payouts'), bankLedger: uniqueTableName('hints-bank') },
  })
  // A PATH with curl and nothing else: no uuidgen, no node.
  slimPath = await mkdtemp(join(tmpdir(), 'slim-path-'))
  const { stdout } = await promisify(execFile)('sh', ['-c', 'command -v curl'])
  await symlink(stdout.trim(), join(slimPath, 'curl'))
})
afterAll(async () => {
  await api?.stop()
  await rm(slimPath, { recursive: true, force: true })
})

/** Runs one printed line as pasted into a shell on the slim machine; its status line and headers. */
async function paste(line: string): Promise<string> {
  const { stdout } = await promisify(execFile)('/bin/sh', ['-c', line], { env: { PATH: slimPath } })
  return stdout
}

describe('the commands npm start prints', () => {
  const commands = (lines: readonly string[]) => lines.filter((line) => /^\s*curl /.test(line))

  it('make a payment as pasted on a machine without uuidgen, and the same line again is its replay', async () => {
    const lines = startHints(api.url, { payouts: true })
    expect(lines.join('\n')).not.toContain('uuidgen')
    const [payment] = commands(lines)
    const first = await paste(payment as string)
    expect(first).toMatch(/^HTTP\/1\.1 201 /)
    const again = await paste(payment as string)
    expect(again).toMatch(/^HTTP\/1\.1 201 /)
    expect(again).toMatch(/^idempotent-replayed: true/im)
  })

  it('say how to make another key, and carry a fresh one each time they are printed', () => {
    const [one, two] = [startHints(api.url, { payouts: true }), startHints(api.url, { payouts: true })]
    expect(one.join('\n')).toMatch(/npx uuid v7/)
    expect(commands(one)[0]).not.toBe(commands(two)[0])
  })

  it('start a payout as pasted, its explanation on a line of its own', async () => {
    const [, payout] = commands(startHints(api.url, { payouts: true }))
    expect(await paste(payout as string)).toMatch(/^HTTP\/1\.1 202 /)
  })

  it('say why payouts are off instead of printing a payout command, on a Node.js without them', () => {
    const lines = startHints(api.url, { payouts: 'Payouts need Node.js 22+ (this is 20.20.2).' })
    expect(commands(lines)).toHaveLength(1)
    expect(lines.join('\n')).toContain('this is 20.20.2')
  })
})

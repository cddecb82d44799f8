import { describe, expect, it } from 'vitest'
import { runCli } from '../support/cli.js'

/** Mistakes in the command line itself: answered with usage and exit code 2, before any store is reached. */
describe('lambda-idempotency usage mistakes', () => {
  it.each([
    ['no command', [], /Usage: lambda-idempotency/],
    ['an unknown command', ['frobnicate'], /Unknown command "frobnicate"/],
    ['an unknown option', ['inspect', '--tabel', 'x'], /--tabel/],
    ['no table', ['inspect', '--record-key', 'a#b'], /--table/],
    ['no key', ['inspect', '--table', 'x', '--namespace', 'n'], /--key or --record-key/],
    ['a key without its namespace', ['inspect', '--table', 'x', '--key', 'k'], /--namespace or --function/],
    [
      'an HTTP principal without its route',
      [
        'inspect',
        '--table',
        'x',
        '--namespace',
        'n',
        '--key',
        'k',
        '--principal',
        'iam:arn',
        '--method',
        'POST',
      ],
      /--route/,
    ],
    [
      'a two-value principal in the one-value form',
      [
        'inspect',
        '--table',
        'x',
        '--namespace',
        'n',
        '--key',
        'k',
        '--principal',
        'jwt:iss',
        '--method',
        'POST',
        '--route',
        '/p',
      ],
      /\["jwt","<issuer>","<subject>"\]/,
    ],
    ['a sample that is not a count', ['stats', '--table', 'x', '--sample', 'many'], /--sample/],
  ])('answers %s with usage and exit code 2', async (_case, args, phrase) => {
    const result = await runCli(args)
    expect(result.code).toBe(2)
    expect(result.stderr).not.toMatch(/^\s+at /m)
    expect(result.stderr).toMatch(phrase)
  })

  it('prints usage on stdout and exits 0 for --help', async () => {
    const { code, stdout } = await runCli(['--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/Usage: lambda-idempotency <inspect\|invalidate\|stats>/)
  })
})

describe('lambda-idempotency usage mistakes with a PostgreSQL URL', () => {
  it.each([
    ['no table', ['stats', '--database-url', 'postgres://db.example/app'], /--table/],
    [
      'a table name that is not an identifier',
      ['stats', '--database-url', 'postgres://db.example/app', '--table', 'records; DROP TABLE x'],
      /PostgreSQL table name .* must be name or schema\.name/,
    ],
    [
      'a DynamoDB table name',
      ['stats', '--database-url', 'postgres://db.example/app', '--table', 'payments-idempotency'],
      /PostgreSQL table name .* must be name or schema\.name/,
    ],
    [
      'a URL that is not PostgreSQL',
      ['stats', '--database-url', 'http://x', '--table', 't'],
      /postgres:\/\//,
    ],
    [
      'both stores',
      ['stats', '--database-url', 'postgres://db.example/app', '--endpoint', 'http://x', '--table', 't'],
      /--database-url .* or --endpoint/,
    ],
    [
      'parallel segments, which only DynamoDB scans have',
      ['stats', '--database-url', 'postgres://db.example/app', '--table', 't', '--full', '--segments', '2'],
      /--segments/,
    ],
  ])('answers %s with usage and exit code 2, before connecting', async (_case, args, phrase) => {
    const result = await runCli(args)
    expect(result.code).toBe(2)
    expect(result.stderr).not.toMatch(/^\s+at /m)
    expect(result.stderr).toMatch(phrase)
  })
})

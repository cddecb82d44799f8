import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from '../../lib/postgres/index.js'
import { closedPort, expectOneLineError, runCli } from '../support/cli.js'
import { databaseUrl, pgCli, urlWith } from '../support/cli-postgres.js'
import {
  chargeHandler,
  FUNCTION_NAME,
  freshPaymentId,
  NAMESPACE,
  recordKeyFor,
} from '../support/cli-records.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'

const pool = testPool(2)
let table: string
let schema: string
/** A login of its own with no grant on the table: roles belong to the cluster, so it is dropped after. */
const reader = { user: `cli_reader_${randomUUID().replaceAll('-', '')}`, password: randomUUID() }
beforeAll(async () => {
  table = await createIdempotencyTestTable(pool, 'cli_errors')
  schema = table.split('.')[0] as string
  await pool.query(`CREATE ROLE "${reader.user}" LOGIN PASSWORD '${reader.password}'`)
})
afterAll(async () => {
  await dropTestSchema(pool, table)
  await pool.query(`DROP ROLE IF EXISTS "${reader.user}"`)
  await pool.end()
})

const RECORD = ['--record-key', `${NAMESPACE}#x`]
const withUrl = (url: string, ...args: string[]) => runCli(['inspect', '--database-url', url, ...args])

describe('lambda-idempotency errors a user can cause on PostgreSQL', () => {
  it('names a table that does not exist in a schema that does', async () => {
    const result = await pgCli(`${schema}.no_such_table`)('inspect', RECORD)
    expectOneLineError(
      result,
      1,
      `Table ${schema}.no_such_table does not exist`,
      /database postgres/,
      '--table',
    )
  })

  it('names a schema that does not exist', async () => {
    const result = await pgCli('no_such_schema.idempotency_records')('stats')
    expectOneLineError(result, 1, 'Schema no_such_schema does not exist', '--table')
  })

  it('says which host and port refused the connection', async () => {
    const port = await closedPort()
    const result = await withUrl(urlWith({ port }), '--table', table, ...RECORD)
    expectOneLineError(result, 1, `Could not connect to PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED)`)
  })

  it('says which host name it could not find', async () => {
    const url = new URL(databaseUrl())
    url.hostname = 'no-such-host.invalid'
    const result = await withUrl(url.toString(), '--table', table, ...RECORD)
    expectOneLineError(
      result,
      1,
      /PostgreSQL host no-such-host\.invalid was not found \((ENOTFOUND|EAI_AGAIN)\)/,
    )
  })

  it('says the password was refused, and never prints it', async () => {
    const result = await withUrl(urlWith({ password: 'not-the-password' }), '--table', table, ...RECORD)
    expectOneLineError(result, 1, /refused the credentials of user postgres \(28P01\)/, '--database-url')
    expect(result.stderr).not.toContain('not-the-password')
    expect(result.stderr).not.toContain(new URL(databaseUrl()).password)
  })

  it('says which grants a user without them needs', async () => {
    const url = new URL(databaseUrl())
    url.username = reader.user
    url.password = reader.password
    const result = await withUrl(url.toString(), '--table', table, ...RECORD)
    expectOneLineError(result, 1, `User ${reader.user} may not use table ${table} (42501`, 'SELECT', 'DELETE')
  })

  it('names a database that does not exist', async () => {
    const result = await withUrl(urlWith({ database: 'no_such_db' }), '--table', table, ...RECORD)
    expectOneLineError(result, 1, /Database no_such_db does not exist .*3D000/)
  })

  it('under the wrong namespace, names the record key it looked for and the namespace that has the key', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(new PostgresStore({ pool, tableName: table })).charge({ paymentId, amount: 1 })

    const args = ['--function', FUNCTION_NAME, '--key', paymentId]
    const { code, stderr, stdout } = await pgCli(table)('inspect', args)

    expect(code).toBe(3)
    expect(stderr).not.toMatch(/^\s+at /m)
    expect(stderr).toContain(`No record under ${recordKeyFor(paymentId, `${FUNCTION_NAME}#handler`)}`)
    expect(stderr).toContain(`PostgreSQL table ${table}`)
    expect(stderr).toContain(`--namespace '${NAMESPACE}'`)
    expect(`${stdout}${stderr}`).not.toContain(paymentId)
  })

  it('lists the namespaces present when the key has a record under none of them', async () => {
    const { code, stderr } = await pgCli(table)('invalidate', ['--namespace', 'wrong-ns', '--key', 'k-1'])

    expect(code).toBe(3)
    expect(stderr).toContain('It was looked for under namespace "wrong-ns", from --namespace.')
    expect(stderr).toContain(`records of the table: ${NAMESPACE}`)
  })

  it('says to install pg when the project lacks it', async () => {
    const result = await runCli(['stats', '--database-url', databaseUrl(), '--table', table], {
      without: ['pg'],
    })
    expectOneLineError(result, 1, /needs pg/, 'npm install pg')
  })

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

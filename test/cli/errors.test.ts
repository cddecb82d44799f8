import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedPort, expectOneLineError, runCli } from '../support/cli.js'
import { type CliTable, databaseUrl, EACH_CLI_BACKEND, pgCli, urlWith } from '../support/cli-backends.js'
import {
  chargeHandler,
  FUNCTION_NAME,
  freshPaymentId,
  NAMESPACE,
  recordKeyFor,
} from '../support/cli-records.js'
import { createIdempotencyTestTable, dropTestSchema, testPool } from '../support/postgres.js'

const RECORD = ['--record-key', `${NAMESPACE}#x`]

/** A table that is not there, and what each store's message says about it. */
const MISSING_TABLE = {
  DynamoDB: (_table: string) => ({ name: 'no-such-table', says: ['no-such-table', /not found/] }),
  PostgreSQL: (table: string) => {
    const name = `${table.split('.')[0]}.no_such_table`
    return { name, says: [`Table ${name} does not exist`, /database postgres/, '--table'] }
  },
}

describe.each(EACH_CLI_BACKEND)('lambda-idempotency errors a user can cause on %s', (_name, backend) => {
  let t: CliTable
  beforeAll(async () => {
    t = await backend.open('cli_errors')
  })
  afterAll(() => t.close())

  it('names a table that does not exist', async () => {
    const { name, says } = MISSING_TABLE[backend.name](t.table)
    expectOneLineError(await backend.cli(name)('inspect', RECORD), 1, ...says)
  })

  it('under the wrong namespace, names the store, the record key it looked for and the namespace that has the key', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(t.store).charge({ paymentId, amount: 1 })

    const { code, stderr, stdout } = await t.run('inspect', ['--function', FUNCTION_NAME, '--key', paymentId])

    expect(code).toBe(3)
    expect(stderr).not.toMatch(/^\s+at /m)
    expect(stderr).toContain(`No record under ${recordKeyFor(paymentId, `${FUNCTION_NAME}#handler`)}`)
    expect(stderr).toContain(backend.describes(t.table))
    expect(stderr).toContain('<functionName>#<operation>')
    expect(stderr).toContain(`--namespace '${NAMESPACE}'`)
    expect(`${stdout}${stderr}`).not.toContain(paymentId)
  })

  it('lists the namespaces present when the key has a record under none of them', async () => {
    const { code, stderr } = await t.run('invalidate', ['--namespace', 'wrong-ns', '--key', 'k-1'])

    expect(code).toBe(3)
    expect(stderr).toContain('It was looked for under namespace "wrong-ns", from --namespace.')
    expect(stderr).toContain(`records of the table: ${NAMESPACE}`)
  })

  it("lists the flags that name a request's record, the HTTP preset's included, when a plain key is not found", async () => {
    const { code, stderr } = await t.run('inspect', ['--namespace', 'wrong-ns', '--key', 'k-2'])

    expect(code).toBe(3)
    for (const flag of ['--namespace', '--function', '--operation', '--principal', '--method', '--route'])
      expect(stderr).toContain(flag)
    expect(stderr).toMatch(/HTTP preset/)
  })

  it('says which method, route and kind of caller an HTTP preset key was scoped to, never the caller itself', async () => {
    const args = ['--namespace', NAMESPACE, '--principal', 'custom:secret-user-7', '--method', 'post']
    const { code, stderr } = await t.run('inspect', [...args, '--route', 'POST /payments', '--key', 'k-3'])

    expect(code).toBe(3)
    expect(stderr).toContain('--method POST')
    expect(stderr).toContain("--route 'POST /payments'")
    expect(stderr).toContain('a custom caller')
    expect(stderr).not.toContain('secret-user-7')
  })
})

/** No endpoint, no credentials anywhere the SDK looks, no instance metadata service to wait for. */
const noAwsAccount = {
  DYNAMODB_ENDPOINT: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: undefined,
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
}

describe('lambda-idempotency errors a user can cause on DynamoDB: credentials, region, endpoint', () => {
  const TABLE = 'payments-idempotency'

  it('says how to set credentials, or to use --endpoint, when there are none', async () => {
    const result = await runCli(['stats', '--table', TABLE], { env: noAwsAccount })
    expectOneLineError(result, 1, /No AWS credentials/, 'AWS_PROFILE', '--endpoint')
  })

  it('asks for a region when neither --region nor the environment names one', async () => {
    const env = { ...noAwsAccount, AWS_REGION: undefined }
    const result = await runCli(['stats', '--table', TABLE], { env })
    expectOneLineError(result, 1, /region/i, '--region')
  })

  it('says which endpoint it could not reach', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`
    const result = await runCli(['stats', '--table', TABLE, '--endpoint', endpoint])
    expectOneLineError(result, 1, `Could not reach ${endpoint}`)
  })
})

describe('lambda-idempotency errors a user can cause on PostgreSQL: schema, connection, login, grants', () => {
  const pool = testPool(2)
  let table: string
  /** A login of its own with no grant on the table: roles belong to the cluster, so it is dropped after. */
  const reader = { user: `cli_reader_${randomUUID().replaceAll('-', '')}`, password: randomUUID() }
  beforeAll(async () => {
    table = await createIdempotencyTestTable(pool, 'cli_errors_pg')
    await pool.query(`CREATE ROLE "${reader.user}" LOGIN PASSWORD '${reader.password}'`)
  })
  afterAll(async () => {
    await dropTestSchema(pool, table)
    await pool.query(`DROP ROLE IF EXISTS "${reader.user}"`)
    await pool.end()
  })
  const withUrl = (url: string) => runCli(['inspect', '--database-url', url, '--table', table, ...RECORD])

  it('names a schema that does not exist', async () => {
    const result = await pgCli('no_such_schema.idempotency_records')('stats')
    expectOneLineError(result, 1, 'Schema no_such_schema does not exist', '--table')
  })

  it('says which host and port refused the connection', async () => {
    const port = await closedPort()
    const result = await withUrl(urlWith({ port }))
    expectOneLineError(result, 1, `Could not connect to PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED)`)
  })

  it('says which host name it could not find', async () => {
    const url = new URL(databaseUrl())
    url.hostname = 'no-such-host.invalid'
    const result = await withUrl(url.toString())
    expectOneLineError(
      result,
      1,
      /PostgreSQL host no-such-host\.invalid was not found \((ENOTFOUND|EAI_AGAIN)\)/,
    )
  })

  it('says the password was refused, and never prints it', async () => {
    const result = await withUrl(urlWith({ password: 'not-the-password' }))
    expectOneLineError(result, 1, /refused the credentials of user postgres \(28P01\)/, '--database-url')
    expect(result.stderr).not.toContain('not-the-password')
    expect(result.stderr).not.toContain(new URL(databaseUrl()).password)
  })

  it('says which grants a user without them needs', async () => {
    const url = new URL(databaseUrl())
    url.username = reader.user
    url.password = reader.password
    const result = await withUrl(url.toString())
    expectOneLineError(result, 1, `User ${reader.user} may not use table ${table} (42501`, 'SELECT', 'DELETE')
  })

  it('names a database that does not exist', async () => {
    const result = await withUrl(urlWith({ database: 'no_such_db' }))
    expectOneLineError(result, 1, /Database no_such_db does not exist .*3D000/)
  })

  it('says to install pg when the project lacks it', async () => {
    const result = await runCli(['stats', '--database-url', databaseUrl(), '--table', table], {
      without: ['pg'],
    })
    expectOneLineError(result, 1, /needs pg/, 'npm install pg')
  })
})

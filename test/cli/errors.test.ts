import { beforeAll, describe, expect, it } from 'vitest'
import { DynamoDBStore } from '../../lib/index.js'
import { closedPort, expectOneLineError, runCli } from '../support/cli.js'
import {
  chargeHandler,
  FUNCTION_NAME,
  freshPaymentId,
  NAMESPACE,
  recordKeyFor,
} from '../support/cli-records.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'

const client = testDynamoDBClient()
let table: string
beforeAll(async () => {
  table = await createIdempotencyTestTable(client, 'cli-errors')
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

describe('lambda-idempotency errors a user can cause', () => {
  it('names a missing table', async () => {
    const result = await runCli(['inspect', '--table', 'no-such-table', '--record-key', `${NAMESPACE}#x`])
    expectOneLineError(result, 1, 'no-such-table', /not found/)
  })

  it('says how to set credentials, or to use --endpoint, when there are none', async () => {
    const result = await runCli(['stats', '--table', table], { env: noAwsAccount })
    expectOneLineError(result, 1, /No AWS credentials/, 'AWS_PROFILE', '--endpoint')
  })

  it('asks for a region when neither --region nor the environment names one', async () => {
    const env = { ...noAwsAccount, AWS_REGION: undefined }
    const result = await runCli(['stats', '--table', table], { env })
    expectOneLineError(result, 1, /region/i, '--region')
  })

  it('says which endpoint it could not reach', async () => {
    const port = await closedPort()
    const endpoint = `http://127.0.0.1:${port}`
    const result = await runCli(['stats', '--table', table, '--endpoint', endpoint])
    expectOneLineError(result, 1, `Could not reach ${endpoint}`)
  })

  it('under the wrong namespace, names the record key it looked for and the namespace that has the key', async () => {
    const paymentId = freshPaymentId()
    await chargeHandler(new DynamoDBStore({ tableName: table, client })).charge({ paymentId, amount: 1 })

    const args = ['inspect', '--table', table, '--function', FUNCTION_NAME, '--key', paymentId]
    const { code, stderr, stdout } = await runCli(args)

    expect(code).toBe(3)
    expect(stderr).not.toMatch(/^\s+at /m)
    expect(stderr).toContain(`No record under ${recordKeyFor(paymentId, `${FUNCTION_NAME}#handler`)}`)
    expect(stderr).toContain('<functionName>#<operation>')
    expect(stderr).toContain(`--namespace '${NAMESPACE}'`)
    expect(`${stdout}${stderr}`).not.toContain(paymentId)
  })

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

import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { listFulfilments } from '../../functions/shared/fulfilments.js'
import { scanAll } from '../../functions/shared/reads.js'
import {
  fulfilmentsTableDefinition,
  gatewayLedgerTableDefinition,
  outboxTableDefinition,
  PAYMENTS_ENV,
  paymentsTableDefinition,
} from '../../functions/shared/tables.js'
import { PaymentsStack } from '../../infra/payments-stack.js'
import type { HttpEvent, HttpResult } from '../../lib/http/index.js'
import { lambdaContext } from '../../scripts/local-api/lambda-context.js'
import { cdkJsonContext, logicalIdOf } from '../support/cdk-template.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { sqsEvent, sqsRecord } from '../support/events.js'
import { headerOf, httpApiEvent } from '../support/http-events.js'

type Handler = (event: HttpEvent, context: Context) => Promise<HttpResult>

/** The one file that bundles for real: the local esbuild, no Docker, no network. */
const FUNCTIONS = ['CreatePayment', 'GetPayment', 'EventsPublishOutbox', 'EventsFulfilOrder']
/** The functions that talk to DynamoDB (the publisher only reads its stream through Lambda, and sends to SQS). */
const DYNAMODB_FUNCTIONS = ['CreatePayment', 'GetPayment', 'EventsFulfilOrder']
const outdir = mkdtempSync(join(tmpdir(), 'cdk-bundle-'))
const bundles: Record<string, { dir: string; code: string; sources: string[] }> = {}

beforeAll(() => {
  const app = new App({ outdir, context: cdkJsonContext() })
  const stack = new PaymentsStack(app, 'Payments')
  app.synth()
  const template = Template.fromStack(stack)
  for (const name of FUNCTIONS) {
    const fn =
      template.findResources('AWS::Lambda::Function')[logicalIdOf(template, 'AWS::Lambda::Function', name)]
    const dir = join(outdir, `asset.${String(fn?.Properties.Code.S3Key).replace(/\.zip$/, '')}`)
    const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }
    bundles[name] = { dir, code: readFileSync(join(dir, 'index.mjs'), 'utf8'), sources: map.sources }
  }
}, 120_000)

afterAll(() => rmSync(outdir, { recursive: true, force: true }))

describe('the payment functions as bundled by the stack', () => {
  it.each(FUNCTIONS)('bundles %s as minified ESM with a source map', (name) => {
    const bundle = bundles[name]
    expect(bundle?.code).toMatch(/export\{[^}]*\bas handler\}/)
    const code = bundle?.code ?? ''
    // Minified: whitespace gone, so lines run to kilobytes (unminified code averages well under 100 bytes).
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000)
    // esbuild's shim for a CommonJS require inside ESM output: it would throw at run time on Lambda.
    expect(bundle?.code).not.toContain('Dynamic require of')
    const bytes = statSync(join(bundle?.dir ?? '', 'index.mjs')).size
    console.info(`${name} bundle: ${bytes} bytes (index.mjs, AWS SDK included)`)
  })

  it.each(DYNAMODB_FUNCTIONS)('puts the package and the SDK in %s, and never aws-cdk-lib', (name) => {
    const sources = bundles[name]?.sources ?? []
    expect(sources.some((source) => source.endsWith('/lib/dynamodb/schema.ts'))).toBe(true)
    // dist-es: mainFields picked the SDK's ESM build, so no CommonJS module needs a require shim.
    expect(sources.some((source) => source.includes('node_modules/@aws-sdk/client-dynamodb/dist-es/'))).toBe(
      true,
    )
    expect(sources.filter((source) => source.includes('/dist-cjs/'))).toEqual([])
    expect(
      sources.filter((source) => /node_modules\/(aws-cdk-lib|constructs|cdk-nag)\//.test(source)),
    ).toEqual([])
  })

  it('puts the SQS client’s ESM build in the publisher, and no DynamoDB client', () => {
    const sources = bundles.EventsPublishOutbox?.sources ?? []
    expect(sources.some((source) => source.includes('node_modules/@aws-sdk/client-sqs/dist-es/'))).toBe(true)
    expect(sources.filter((source) => /\/(dist-cjs|client-dynamodb)\//.test(source))).toEqual([])
  })
})

describe('the bundled functions running against DynamoDB Local', () => {
  let createPayment: Handler
  let getPayment: Handler
  let fulfilOrder: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>

  beforeAll(async () => {
    const client = testDynamoDBClient()
    // What Lambda and the stack give the function: region, credentials and the three table names.
    Object.assign(process.env, {
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      [PAYMENTS_ENV.dynamodbEndpoint]: inject('dynamodbEndpoint'),
      [PAYMENTS_ENV.idempotencyTable]: await createIdempotencyTestTable(client, 'bundle-idem'),
      [PAYMENTS_ENV.paymentsTable]: await createTestTable(
        client,
        paymentsTableDefinition('_'),
        'bundle-payments',
      ),
      [PAYMENTS_ENV.gatewayLedgerTable]: await createTestTable(
        client,
        gatewayLedgerTableDefinition('_'),
        'bundle-ledger',
      ),
      [PAYMENTS_ENV.outboxTable]: await createTestTable(client, outboxTableDefinition('_'), 'bundle-outbox'),
      [PAYMENTS_ENV.fulfilmentsTable]: await createTestTable(
        client,
        fulfilmentsTableDefinition('_'),
        'bundle-fulfilments',
      ),
      // Read when the publisher's module loads; no test sends to it.
      [PAYMENTS_ENV.fulfilmentQueueUrl]: 'https://sqs.local.amazonaws.com/000000000000/fulfilment',
    })
    const load = async (name: string) =>
      (
        (await import(pathToFileURL(join(bundles[name]?.dir ?? '', 'index.mjs')).href)) as {
          handler: Handler
        }
      ).handler
    createPayment = await load('CreatePayment')
    getPayment = await load('GetPayment')
    fulfilOrder = (await load('EventsFulfilOrder')) as unknown as typeof fulfilOrder
    await load('EventsPublishOutbox')
  }, 60_000)

  it('charges once and replays the identical answer with Idempotent-Replayed: true', async () => {
    const event = httpApiEvent({
      method: 'POST',
      path: '/payments',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: { amount: 1250, currency: 'EUR' },
      sub: 'bundle-user',
    })
    const first = await createPayment(event, lambdaContext('create-payment'))
    const second = await createPayment(event, lambdaContext('create-payment'))
    expect(first.statusCode).toBe(201)
    expect(headerOf(first, 'Idempotent-Replayed')).toBeUndefined()
    expect(second).toMatchObject({ statusCode: 201, body: first.body })
    expect(headerOf(second, 'Idempotent-Replayed')).toBe('true')

    const { paymentId } = JSON.parse(first.body ?? '{}') as { paymentId: string }
    const read = await getPayment(
      httpApiEvent({
        method: 'GET',
        path: `/payments/${paymentId}`,
        routeKey: 'GET /payments/{paymentId}',
        pathParameters: { paymentId },
        sub: 'bundle-user',
      }),
      lambdaContext('get-payment'),
    )
    expect(read.statusCode).toBe(200)
    expect(JSON.parse(read.body ?? '{}')).toEqual(JSON.parse(first.body ?? '{}'))
  })

  it('fulfils the payment’s outbox event once though two messages carry it', async () => {
    const created = await createPayment(
      httpApiEvent({
        method: 'POST',
        path: '/payments',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: { amount: 990, currency: 'EUR' },
        sub: 'bundle-user',
      }),
      lambdaContext('create-payment'),
    )
    const { paymentId } = JSON.parse(created.body ?? '{}') as { paymentId: string }
    const client = testDynamoDBClient()
    const outbox = await scanAll(client, process.env[PAYMENTS_ENV.outboxTable] as string)
    const body = outbox.find((item) => item.eventId === `payment-succeeded:${paymentId}`)?.body
    expect(typeof body).toBe('string')
    for (const messageId of [randomUUID(), randomUUID()]) {
      const answer = await fulfilOrder(sqsEvent(sqsRecord(messageId, body)), lambdaContext('fulfil-order'))
      expect(answer).toEqual({ batchItemFailures: [] })
    }
    const fulfilments = await listFulfilments(client, process.env[PAYMENTS_ENV.fulfilmentsTable] as string)
    expect(fulfilments.filter((fulfilment) => fulfilment.paymentId === paymentId)).toHaveLength(1)
  })
})

import { randomUUID } from 'node:crypto'
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { expect, inject, vi } from 'vitest'
import type { PaymentsTableNames } from '../../functions/shared/tables.js'
import { type LocalApi, type LocalApiOptions, startLocalApi } from '../../scripts/local-api.js'
import { uniqueTableName } from '../helpers/dynamodb.js'

export interface TestApi extends LocalApi {
  readonly tables: PaymentsTableNames
  /** Every line the API logged, to show when a test fails. */
  readonly logs: string[]
}

/** The local API on a free port over the run's DynamoDB Local, with tables of its own. */
export async function startTestApi(options: LocalApiOptions = {}): Promise<TestApi> {
  const tables = {
    idempotency: uniqueTableName('sample-idem'),
    payments: uniqueTableName('sample-payments'),
    gatewayLedger: uniqueTableName('sample-ledger'),
  }
  const logs: string[] = []
  const api = await startLocalApi({
    port: 0,
    endpoint: inject('dynamodbEndpoint'),
    tables,
    log: (line) => logs.push(line),
    ...options,
  })
  return { ...api, tables, logs }
}

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever JSON came back
  readonly json: any
}

export interface PayOptions {
  /** null sends no Authorization header. @default 'asha' */
  readonly user?: string | null
  readonly key?: string
  readonly body?: unknown
  readonly headers?: Record<string, string>
  readonly signal?: AbortSignal
}

export const festivalSale = { amount: 6_000_000, currency: 'INR', description: 'Festival sale: 55-inch TV' }

export const freshKey = () => randomUUID()
export const freshUser = () => `user-${randomUUID().slice(0, 8)}`

/** A client for one local API, speaking plain HTTP as any client would. */
export function apiClient(url: string) {
  async function send(method: string, path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(`${url}${path}`, { method, ...init })
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json }
  }

  const pay = (options: PayOptions = {}): Promise<Answer> => {
    const body = options.body === undefined ? festivalSale : options.body
    return send('POST', '/payments', {
      headers: {
        'Content-Type': 'application/json',
        ...(options.user === null ? {} : { Authorization: `Bearer ${options.user ?? 'asha'}` }),
        ...(options.key === undefined ? {} : { 'Idempotency-Key': options.key }),
        ...options.headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: options.signal,
    })
  }

  const getPayment = (user: string, location: string) =>
    send('GET', location, { headers: { Authorization: `Bearer ${user}` } })

  const charges = async (): Promise<LedgerCharge[]> =>
    (await send('GET', '/_local/gateway/charges')).json.charges as LedgerCharge[]

  const failNext = (count: number) =>
    send('POST', '/_local/gateway/faults', { body: JSON.stringify({ failNext: count }) })

  return { send, pay, getPayment, charges, failNext }
}

export interface LedgerCharge {
  chargeId: string
  gatewayKey: string
  amount: number
  currency: string
  requests: number
}

/** The problem's `type` fragment: `validation-failed`, `in-progress`, ... */
export function problemCode(answer: Answer): string {
  expect(answer.headers.get('content-type')).toBe('application/problem+json')
  return String(answer.json.type).split('#')[1] ?? ''
}

/** Resolves once some request holds a key: its IN_PROGRESS record is in the table. */
export async function waitForClaim(client: DynamoDBClient, idempotencyTable: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const { Items = [] } = await client.send(
        new ScanCommand({ TableName: idempotencyTable, ConsistentRead: true }),
      )
      expect(Items.some((item: Record<string, AttributeValue>) => item.status?.S === 'IN_PROGRESS')).toBe(
        true,
      )
    },
    { timeout: 10_000, interval: 10 },
  )
}

import { randomUUID } from 'node:crypto'
import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { expect, inject, vi } from 'vitest'
import type { SampleTableNames } from '../../functions/shared/tables.js'
import { type Answer, localApiClient } from '../../scripts/local-api/client.js'
import { type LocalApi, type LocalApiOptions, startLocalApi } from '../../scripts/local-api.js'
import { uniqueTableName } from './dynamodb.js'

export { type Answer, festivalSale, type LedgerCharge } from '../../scripts/local-api/client.js'

export interface TestApi extends LocalApi {
  readonly tables: SampleTableNames
  /** Every line the API logged, to show when a test fails. */
  readonly logs: string[]
}

/**
 * The local API on a free port over the run's DynamoDB Local, with tables of its own. Its event flow is off
 * unless asked for: fulfil-order's records would otherwise appear in the idempotency table tests count and scan.
 */
export async function startTestApi(options: LocalApiOptions = {}): Promise<TestApi> {
  const tables = {
    idempotency: uniqueTableName('sample-idem'),
    payments: uniqueTableName('sample-payments'),
    gatewayLedger: uniqueTableName('sample-ledger'),
    outbox: uniqueTableName('sample-outbox'),
    fulfilments: uniqueTableName('sample-fulfilments'),
  }
  const logs: string[] = []
  const api = await startLocalApi({
    port: 0,
    endpoint: inject('dynamodbEndpoint'),
    tables,
    // The reports table too: the daily totals' pointers of one test's API must not meet another's.
    dailyTotalsTable: uniqueTableName('sample-totals'),
    log: (line) => logs.push(line),
    events: false,
    ...options,
  })
  return { ...api, tables, logs }
}

export const freshKey = () => randomUUID()
export const freshUser = () => `user-${randomUUID().slice(0, 8)}`

export const apiClient = localApiClient

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

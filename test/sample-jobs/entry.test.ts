import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { handler as Handler } from '../../functions/daily-totals.js'
import { DAILY_TOTALS_ENV } from '../../functions/shared/daily-totals-schema.js'
import { paymentPut } from '../../functions/shared/payments.js'
import {
  dailyTotalsTableDefinition,
  PAYMENTS_ENV,
  paymentsTableDefinition,
} from '../../functions/shared/tables.js'
import { lambdaContext } from '../../scripts/local-api/lambda-context.js'
import { createIdempotencyTestTable, createTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import { expectedTotals, paymentsAround } from './backends.js'

let handler: typeof Handler
const client = testDynamoDBClient()
const payments = paymentsAround('2024-07-01')

beforeAll(async () => {
  // What the stack gives the function: the endpoint (here DynamoDB Local), the three table names.
  const tables = {
    [PAYMENTS_ENV.idempotencyTable]: await createIdempotencyTestTable(client, 'entry-idem'),
    [DAILY_TOTALS_ENV.paymentsTable]: await createTestTable(
      client,
      paymentsTableDefinition('_'),
      'entry-pay',
    ),
    [DAILY_TOTALS_ENV.reportsTable]: await createTestTable(
      client,
      dailyTotalsTableDefinition('_'),
      'entry-rep',
    ),
  }
  Object.assign(process.env, {
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    [PAYMENTS_ENV.dynamodbEndpoint]: inject('dynamodbEndpoint'),
    ...tables,
  })
  const documents = DynamoDBDocumentClient.from(client)
  for (const payment of payments) {
    const { Put } = paymentPut(tables[DAILY_TOTALS_ENV.paymentsTable] as string, payment)
    await documents.send(new PutCommand(Put as NonNullable<typeof Put>))
  }
  ;({ handler } = await import('../../functions/daily-totals.js'))
})

describe('the daily totals Lambda entry, configured by its environment', () => {
  it('runs the date the scheduler sends, replays it the second time, and refuses a date that is not one', async () => {
    const context = lambdaContext('daily-totals', 60_000)
    const rows = expectedTotals(payments, '2024-07-01').length
    expect(await handler({ date: '2024-07-01' }, context)).toMatchObject({ rows, outcome: 'ran' })
    expect(await handler({ date: '2024-07-01' }, context)).toMatchObject({ rows, outcome: 'replayed' })
    await expect(handler({ date: '2024-07-32' }, context)).rejects.toThrow(/calendar date/)
  })

  it('refuses a date sent as null instead of totalling yesterday: a backfill that lost its date runs no day', async () => {
    // `{"date": null}`: a templated payload whose variable was empty, a state machine's missing `$.date`.
    const lost = { date: null } as unknown as { date: string }
    await expect(handler(lost, lambdaContext('daily-totals', 60_000))).rejects.toThrow(/calendar date/)
  })

  it('refuses a force that is not a boolean, or a misspelt field, instead of replaying the day unforced', async () => {
    const context = lambdaContext('daily-totals', 60_000)
    const quoted = { date: '2024-07-30', force: 'true' } as unknown as { date: string }
    await expect(handler(quoted, context)).rejects.toThrow(/force must be true or false/)
    const misspelt = { date: '2024-07-30', forced: true } as unknown as { date: string }
    await expect(handler(misspelt, context)).rejects.toThrow(/takes date and force, not forced/)
  })
})

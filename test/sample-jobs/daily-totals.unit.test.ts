import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { isCalendarDate, yesterdayOf } from '../../functions/handlers/daily-totals.js'
import {
  dynamoDBDailyTotals,
  TotalOutOfRangeError,
  totalsOfPayments,
} from '../../functions/shared/daily-totals.js'
import { PAYMENT_DAY_ATTRIBUTE, PAYMENTS_BY_DAY_INDEX } from '../../functions/shared/daily-totals-schema.js'
import { utcDayOf } from '../../functions/shared/payments.js'

// Every DocumentClient's send, since the job makes its own: restored after this file, as unit files share a worker.
const documents = mockClient(DynamoDBDocumentClient)
afterEach(() => documents.reset())
afterAll(() => documents.restore())

describe('the daily totals job’s read of a day', () => {
  it('queries the payments’ index by day page by page, and never scans the table', async () => {
    const page = (currency: string, amount: number, status = 'succeeded') => ({ status, amount, currency })
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [page('INR', 100), page('EUR', 7)], LastEvaluatedKey: { paymentId: 'p2' } })
      .resolvesOnce({ Items: [page('INR', 50), page('INR', 402, 'declined')] })
    const totals = dynamoDBDailyTotals(new DynamoDBClient({ region: 'local' }), {
      idempotency: 'idempotency',
      payments: 'payments',
      reports: 'reports',
    })
    expect(await totals.totalsOf('2024-05-01')).toEqual([
      { currency: 'EUR', count: 1, amount: 7 },
      { currency: 'INR', count: 2, amount: 150 },
    ])
    const queries = documents.commandCalls(QueryCommand).map((call) => call.args[0].input)
    expect(queries).toMatchObject([
      {
        TableName: 'payments',
        IndexName: PAYMENTS_BY_DAY_INDEX,
        ExpressionAttributeNames: { '#day': PAYMENT_DAY_ATTRIBUTE },
        ExpressionAttributeValues: { ':day': '2024-05-01' },
      },
      { IndexName: PAYMENTS_BY_DAY_INDEX, ExclusiveStartKey: { paymentId: 'p2' } },
    ])
    expect(documents.commandCalls(ScanCommand)).toEqual([])
  })

  it('refuses a total a number cannot hold exactly, rather than write a rounded settlement', () => {
    const huge = { status: 'succeeded', currency: 'INR', amount: Number.MAX_SAFE_INTEGER }
    expect(() => totalsOfPayments([huge, huge])).toThrow(TotalOutOfRangeError)
  })
})

describe('the daily totals job’s days', () => {
  it('takes a payment’s day in UTC, whatever offset its instant was written with', () => {
    expect(utcDayOf('2024-05-01T23:59:59.999Z')).toBe('2024-05-01')
    expect(utcDayOf('2024-05-02T05:29:59+05:30')).toBe('2024-05-01')
    expect(() => utcDayOf('yesterday')).toThrow(RangeError)
  })

  it('runs for yesterday in UTC when the scheduler sends no date', () => {
    expect(yesterdayOf(Date.parse('2024-03-01T00:05:00Z'))).toBe('2024-02-29')
    expect(yesterdayOf(Date.parse('2024-01-01T23:59:59Z'))).toBe('2023-12-31')
  })

  it('takes only calendar dates written YYYY-MM-DD', () => {
    expect(['2024-02-29', '2023-12-31'].filter(isCalendarDate)).toHaveLength(2)
    const refused = ['2023-02-29', '2024-13-01', '2024-5-1', '2024-05-01T00:00:00Z', '', null, 20240501]
    expect(refused.filter(isCalendarDate)).toEqual([])
  })
})

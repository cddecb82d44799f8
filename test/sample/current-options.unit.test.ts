import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { createPaymentHandler } from '../../functions/handlers/create-payment.js'
import { createPayoutHandler } from '../../functions/handlers/create-payout.js'
import { DynamoDBStore } from '../../lib/dynamodb/index.js'

/** Never connected: building the handlers sends nothing. */
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }))
const tables = { idempotency: 'idem', payments: 'payments', gatewayLedger: 'ledger', outbox: 'outbox' }
const unused = () => Promise.reject(new Error('not called'))

describe('the sample as adopters copy it', () => {
  it('wraps its HTTP functions with current option names only, so npm start logs no deprecation', () => {
    const warnings: string[] = []
    const logger = { warn: (message: string) => void warnings.push(message) }
    createPaymentHandler({ client, tables, gateway: { charge: unused } }, { logger })
    createPayoutHandler(
      { store: new DynamoDBStore({ tableName: 'idem', client }), executions: { start: unused, get: unused } },
      { logger },
    )
    expect(warnings).toEqual([])
  })
})

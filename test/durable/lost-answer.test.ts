import type { DurableContext } from '@aws/durable-execution-sdk-js'
import { describe, expect, it } from 'vitest'
import { makeDurableIdempotent } from '../../lib/durable/index.js'
import { DynamoDBStore, idempotencyOf } from '../../lib/index.js'
import { PostgresStore, postgresTransactionOf } from '../../lib/postgres/index.js'
import { runExecution, useLocalDurableRunner } from '../support/durable.js'
import { durable, dynamoDBBalances, postgresLedger, type TopUp, topUp } from '../support/durable-ledgers.js'
import { clientWithFaults, type FaultKind, faultPlan, faultyClient } from '../support/faults.js'
import { faultyPool } from '../support/model-postgres.js'

// The durable completion step is retried on a store error, under the execution's one token: a completion whose
// write landed but whose answer was lost must not apply the handler's own writes a second time.

useLocalDurableRunner()
const dynamodb = dynamoDBBalances()
const postgres = postgresLedger()

function faultyDynamoDBStore(plan: Partial<Record<string, FaultKind[]>>) {
  return new DynamoDBStore({ tableName: dynamodb.tables.idempotency, client: faultyClient(plan).client })
}

describe('a durable completion whose write landed but whose answer was lost', () => {
  it.each(['timeout-after-write', 'server-error-after-write'] as const)(
    'credits the balance once on DynamoDB after a %s',
    async (fault) => {
      const store = faultyDynamoDBStore({ TransactWriteItemsCommand: [fault] })
      const handler = makeDurableIdempotent(
        async (event: TopUp, context: DurableContext) => {
          const receipt = await context.step('approve', async () => `approved ${event.account}`)
          dynamodb.creditWithCompletion(context, event.account, event.amount)
          return receipt
        },
        { store, ...durable },
      )
      const event = topUp()

      const execution = await runExecution(handler, event)

      expect(execution.getStatus()).toBe('SUCCEEDED')
      expect(await dynamodb.balanceOf(event.account)).toBe(100)
    },
  )

  it('writes the ledger row once on PostgreSQL when the connection dropped after COMMIT', async () => {
    const { pool } = postgres.storePool()
    const store = new PostgresStore({
      pool: faultyPool(pool, faultPlan({ COMMIT: ['timeout-after-write'] })),
      tableName: postgres.setup.idempotencyTable,
    })
    const handler = makeDurableIdempotent(
      async (event: TopUp, context: DurableContext) => {
        await context.step('approve', async () => 'approved')
        await postgresTransactionOf(context).query(postgres.insert(), [event.account, event.amount])
        return 'credited'
      },
      { store, ...durable },
    )
    const event = topUp()

    const execution = await runExecution(handler, event)

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(await postgres.rowsOf(event.account)).toBe(1)
  })
})

describe('a durable completion the store never takes', () => {
  it('fails the execution after its retries and gives the key back, so the next execution runs', async () => {
    let outage = true
    const client = clientWithFaults({
      next: (command) => (outage && command === 'UpdateItemCommand' ? 'network' : 'none'),
    })
    const store = new DynamoDBStore({ tableName: dynamodb.tables.idempotency, client })
    const recordKeys = new Set<string>()
    const handler = makeDurableIdempotent(
      async (event: TopUp, context: DurableContext) => {
        const handle = idempotencyOf(context)
        if (handle !== undefined) recordKeys.add(handle.recordKey)
        return context.step('approve', async () => `approved ${event.account}`)
      },
      { store, ...durable },
    )
    const event = topUp()

    const failed = await runExecution(handler, event)
    outage = false
    const heldAfterFailure = await store.get([...recordKeys][0] as string)
    const retried = await runExecution(handler, event)

    expect(failed.getStatus()).toBe('FAILED')
    expect(heldAfterFailure).toBeUndefined()
    expect(retried.getStatus()).toBe('SUCCEEDED')
  })
})

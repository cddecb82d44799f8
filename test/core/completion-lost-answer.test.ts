import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { DynamoDBStore, type IdempotencyStore, idempotencyOf, makeIdempotent } from '../../lib/index.js'
import { PostgresStore, postgresTransactionOf } from '../../lib/postgres/index.js'
import { dynamoDBBalances, postgresLedger } from '../support/durable-ledgers.js'
import { type FaultKind, faultPlan, faultyClient } from '../support/faults.js'
import { faultyPool } from '../support/model-postgres.js'
import { lambdaContext } from '../support/records.js'

// The answer to a write that landed is lost (a timeout after DynamoDB applied it, a connection dropped after
// COMMIT): the wrapper must find out by reading the record back, and nothing may be applied twice.

const balances = dynamoDBBalances()
const ledger = postgresLedger()
const silent = { warn: () => undefined }

/** A DynamoDB store whose client meets the planned faults, retried by the SDK up to `maxAttempts` times. */
function faultyDynamoDB(plan: Partial<Record<string, FaultKind[]>>, maxAttempts = 1) {
  const { client, faults } = faultyClient(plan, maxAttempts)
  return { store: new DynamoDBStore({ tableName: balances.tables.idempotency, client }), faults }
}

/** A top-up: credits the account with the completion, and counts its runs. */
function topUp(store: IdempotencyStore) {
  const runs = { count: 0, outcomes: [] as string[] }
  const handler = makeIdempotent(
    async (event: { account: string; amount: number }, context: object) => {
      runs.count++
      idempotencyOf(context)?.addToCompletion(balances.credit(event.account, event.amount))
      return { credited: event.amount }
    },
    {
      store,
      key: (event) => event.account,
      logger: silent,
      onOutcome: (outcome) => runs.outcomes.push(outcome.type),
    },
  )
  return { handler, runs }
}

describe('a completion whose write landed but whose answer was lost, on DynamoDB Local', () => {
  it('answers with the result and credits once, having read the record back instead of failing', async () => {
    const { store } = faultyDynamoDB({ TransactWriteItemsCommand: ['timeout-after-write'] })
    const { handler, runs } = topUp(store)
    const event = { account: randomUUID(), amount: 100 }

    await expect(handler(event, lambdaContext())).resolves.toEqual({ credited: 100 })
    await expect(handler(event, lambdaContext())).resolves.toEqual({ credited: 100 })

    expect(runs.count).toBe(1)
    // A write that landed is no outage: nothing reports one.
    expect(runs.outcomes).toEqual(['fresh', 'replay'])
    expect(await balances.balanceOf(event.account)).toBe(100)
  })

  it('credits once when the SDK sends the landed transaction again after a timeout or a 500', async () => {
    for (const fault of ['timeout-after-write', 'server-error-after-write'] as const) {
      const { store, faults } = faultyDynamoDB({ TransactWriteItemsCommand: [fault] }, 3)
      const { handler } = topUp(store)
      const event = { account: randomUUID(), amount: 100 }

      await expect(handler(event, lambdaContext())).resolves.toEqual({ credited: 100 })

      expect(faults.sent.get('TransactWriteItemsCommand')).toBe(2)
      expect(await balances.balanceOf(event.account)).toBe(100)
    }
  })

  it('reports the key released when a release landed but its answer was lost, and a retry runs at once', async () => {
    const { store } = faultyDynamoDB({ DeleteItemCommand: ['timeout-after-write'] })
    let fail = true
    const handler = makeIdempotent(
      async () => {
        if (fail) throw new Error('card declined by a flaky network')
        return 'charged'
      },
      {
        store,
        key: (event: { key: string }) => event.key,
        logger: silent,
        onOutcome: (outcome) => outcomes.push(outcome.type),
      },
    )
    const outcomes: string[] = []
    const key = randomUUID()

    await expect(handler({ key }, lambdaContext())).rejects.toThrow('card declined')
    expect(outcomes).toEqual(['fresh', 'released'])
    fail = false
    await expect(handler({ key }, lambdaContext())).resolves.toBe('charged')
  })
})

describe('a completion whose COMMIT landed but whose connection dropped, on PostgreSQL', () => {
  it('answers with the result and writes the ledger row once, having read the record back', async () => {
    const store = new PostgresStore({
      pool: faultyPool(ledger.setup.pool, faultPlan({ COMMIT: ['timeout-after-write'] })),
      tableName: ledger.setup.idempotencyTable,
    })
    let runs = 0
    const handler = makeIdempotent(
      async (event: { account: string }, context: object) => {
        runs++
        await postgresTransactionOf(context).query(ledger.insert(), [event.account, 100])
        return 'credited'
      },
      { store, key: (event) => event.account, logger: silent },
    )
    const event = { account: randomUUID() }

    await expect(handler(event, lambdaContext())).resolves.toBe('credited')
    await expect(handler(event, lambdaContext())).resolves.toBe('credited')

    expect(runs).toBe(1)
    expect(await ledger.rowsOf(event.account)).toBe(1)
  })
})

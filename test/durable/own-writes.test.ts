import type { DurableContext } from '@aws/durable-execution-sdk-js'
import { describe, expect, it } from 'vitest'
import { IdempotencyOwnWritesInStepError, makeDurableIdempotent } from '../../lib/durable/index.js'
import { DynamoDBStore, idempotencyOf } from '../../lib/index.js'
import { PostgresStore, postgresTransactionOf } from '../../lib/postgres/index.js'
import { runExecution, useLocalDurableRunner } from '../support/durable.js'
import { durable, dynamoDBBalances, postgresLedger, type TopUp, topUp } from '../support/durable-ledgers.js'

useLocalDurableRunner()
const dynamodb = dynamoDBBalances()
const postgres = postgresLedger()

describe('own writes of a durable handler on DynamoDB', () => {
  const store = () => new DynamoDBStore({ tableName: dynamodb.tables.idempotency, client: dynamodb.client })

  it('commits a write made outside steps exactly once, though an invocation that made it suspended', async () => {
    const handler = makeDurableIdempotent(
      async (event: TopUp, context: DurableContext) => {
        const receipt = await context.step('approve', async () => `approved ${event.account}`)
        // Made in every invocation that gets here: the first one suspends at the wait, the last one completes.
        dynamodb.creditWithCompletion(context, event.account, event.amount)
        await context.wait({ seconds: 30 })
        return receipt
      },
      { store: store(), ...durable },
    )
    const event = topUp()

    const execution = await runExecution(handler, event)

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(execution.getInvocations().length).toBeGreaterThanOrEqual(2)
    expect(await dynamodb.balanceOf(event.account)).toBe(100)
  })

  it('refuses a write made inside a step where it is made, saying to make it outside steps', async () => {
    let refusal: unknown
    const handler = makeDurableIdempotent(
      async (event: TopUp, context: DurableContext) => {
        await context.step('credit', async () => {
          try {
            dynamodb.creditWithCompletion(context, event.account, event.amount)
          } catch (error) {
            refusal = error
          }
        })
        await context.wait({ seconds: 30 })
        return 'done'
      },
      { store: store(), ...durable },
    )

    await runExecution(handler, topUp())

    expect(refusal).toBeInstanceOf(IdempotencyOwnWritesInStepError)
    expect(refusal).toMatchObject({ statusCode: 500, code: 'own-writes-in-step' })
    expect(String((refusal as Error).message)).toMatch(/outside any step/)
  })

  it('refuses a write made inside a child context or a parallel branch', async () => {
    const refusals: unknown[] = []
    const attempt = (context: DurableContext, event: TopUp) => {
      try {
        idempotencyOf(context)?.addToCompletion(dynamodb.credit(event.account, event.amount))
      } catch (error) {
        refusals.push(error)
      }
    }
    const handler = makeDurableIdempotent(
      async (event: TopUp, context: DurableContext) => {
        await context.runInChildContext('child', async () => attempt(context, event))
        await context.parallel('branches', [async () => attempt(context, event)])
        return 'done'
      },
      { store: store(), ...durable },
    )
    const event = topUp()

    await runExecution(handler, event)

    expect(refusals.map((error) => (error as Error).name)).toEqual([
      'IdempotencyOwnWritesInStepError',
      'IdempotencyOwnWritesInStepError',
    ])
    expect(await dynamodb.balanceOf(event.account)).toBe(0)
  })
})

describe('own writes of a durable handler on PostgreSQL', () => {
  it('commits a row written outside steps once, and leaves no transaction open across its suspensions', async () => {
    const { pool, applicationName } = postgres.storePool()
    const idleSeen: number[] = []
    const handler = makeDurableIdempotent(
      async (event: TopUp, context: DurableContext) => {
        await context.step('approve', async () => 'approved')
        const transaction = postgresTransactionOf(context)
        await transaction.query(postgres.insert(), [event.account, event.amount])
        const { rows } = await transaction.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        await context.wait({ seconds: 30 })
        await context.step('count idle', async () => {
          // Sessions left in a transaction by earlier invocations: this invocation's own is still open.
          idleSeen.push(await postgres.idleInTransaction(applicationName, rows[0]?.pid))
        })
        await context.wait({ seconds: 30 })
        return 'credited'
      },
      { store: new PostgresStore({ pool, tableName: postgres.setup.idempotencyTable }), ...durable },
    )
    const event = topUp()

    const execution = await runExecution(handler, event)

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(await postgres.rowsOf(event.account)).toBe(1)
    // Counted in the invocation after the first wait: the first invocation's transaction was already over.
    expect(idleSeen).toEqual([0])
    expect(await postgres.idleInTransaction(applicationName)).toBe(0)
  })

  it('refuses a statement through the transaction inside a step, and commits none', async () => {
    const { pool } = postgres.storePool()
    let refusal: unknown
    const handler = makeDurableIdempotent(
      async (event: TopUp, context: DurableContext) => {
        const transaction = postgresTransactionOf(context)
        await context.step('credit', async () => {
          await transaction
            .query(postgres.insert(), [event.account, event.amount])
            .catch((error: unknown) => {
              refusal = error
            })
        })
        return 'done'
      },
      { store: new PostgresStore({ pool, tableName: postgres.setup.idempotencyTable }), ...durable },
    )
    const event = topUp()

    await runExecution(handler, event)

    expect(refusal).toMatchObject({ name: 'IdempotencyOwnWritesInStepError' })
    expect(await postgres.rowsOf(event.account)).toBe(0)
  })
})

import { randomUUID } from 'node:crypto'
import type { DurableContext } from '@aws/durable-execution-sdk-js'
import { describe, expect, it } from 'vitest'
import { CLAIM_STEP, makeDurableIdempotent } from '../../lib/durable/index.js'
import { DynamoDBStore, idempotencyOf } from '../../lib/index.js'
import { PostgresStore, postgresTransactionOf } from '../../lib/postgres/index.js'
import {
  gate,
  refusingCheckpointOf,
  runExecution,
  settleLeftovers,
  useLocalDurableRunner,
} from '../support/durable.js'
import { dynamoDBBalances, postgresLedger } from '../support/durable-ledgers.js'
import { silent } from '../support/events.js'

// Failures the durable execution SDK decides itself, never delivered to the handler as an error: its promise
// simply never settles, and the SDK answers the invocation FAILED, or ends it for Lambda to retry.

useLocalDurableRunner()
const dynamodb = dynamoDBBalances()
const postgres = postgresLedger()
const ONE_DAY_SECONDS = 86_400

interface Payout {
  readonly payoutId: string
}
const durable = {
  key: (event: Payout) => event.payoutId,
  executionTimeoutSeconds: ONE_DAY_SECONDS,
  logger: silent,
}
const dynamoDBStore = () =>
  new DynamoDBStore({ tableName: dynamodb.tables.idempotency, client: dynamodb.client })

/** The record key the handler held, read from its handle. */
function recordKeyOf(context: object, seen: Set<string>): void {
  const handle = idempotencyOf(context)
  if (handle !== undefined) seen.add(handle.recordKey)
}

describe('an execution the SDK fails itself', () => {
  it('gives the key back when a replay is non-deterministic, so the next execution with the key runs', async () => {
    let firstExecution = true
    let invocations = 0
    const recordKeys = new Set<string>()
    const store = dynamoDBStore()
    const handler = makeDurableIdempotent(
      async (_event: Payout, context: DurableContext) => {
        recordKeyOf(context, recordKeys)
        // The first execution names its step differently on replay: the SDK detects it and fails the execution.
        const name = firstExecution && ++invocations > 1 ? 'renamed' : 'pay'
        await context.step(name, async () => 'paid')
        await context.wait({ seconds: 30 })
        return 'done'
      },
      { store, ...durable },
    )
    const event = { payoutId: randomUUID() }

    const failed = await runExecution(handler, event)
    const [recordKey] = recordKeys
    const heldAfterFailure = await store.get(recordKey as string)
    firstExecution = false
    const retried = await runExecution(handler, event)

    expect(failed.getStatus()).toBe('FAILED')
    expect(failed.getError().errorType).toBe('NonDeterministicExecutionError')
    expect(heldAfterFailure).toBeUndefined()
    expect(retried.getStatus()).toBe('SUCCEEDED')
  })

  it('gives the key back when the handler uses its parent context inside a child context', async () => {
    let misuse = true
    const recordKeys = new Set<string>()
    const store = dynamoDBStore()
    const handler = makeDurableIdempotent(
      async (_event: Payout, context: DurableContext) => {
        recordKeyOf(context, recordKeys)
        await context.runInChildContext('child', async (child) => {
          // The SDK terminates the execution for a parent context used inside a child context.
          await (misuse ? context : child).step('inner', async () => 'ok')
        })
        return 'done'
      },
      { store, ...durable },
    )
    const event = { payoutId: randomUUID() }

    const failed = await runExecution(handler, event)
    const heldAfterFailure = await store.get([...recordKeys][0] as string)
    misuse = false
    const retried = await runExecution(handler, event)

    expect(failed.getStatus()).toBe('FAILED')
    expect(heldAfterFailure).toBeUndefined()
    expect(retried.getStatus()).toBe('SUCCEEDED')
  })
})

describe('an execution the SDK fails, whose handler goes on running', () => {
  it('gives the key back when the non-deterministic operation is the last one, and the handler returns', async () => {
    let firstExecution = true
    let invocations = 0
    const recordKeys = new Set<string>()
    const store = dynamoDBStore()
    const handler = makeDurableIdempotent(
      async (_event: Payout, context: DurableContext) => {
        recordKeyOf(context, recordKeys)
        await context.step('pay', async () => 'paid')
        // Renamed on replay: the SDK fails the execution, yet the replayed wait resolves and the handler returns.
        await context.wait(firstExecution && ++invocations > 1 ? 'renamed' : 'settle', { seconds: 30 })
        return 'done'
      },
      { store, ...durable },
    )
    const event = { payoutId: randomUUID() }

    const failed = await runExecution(handler, event)
    const heldAfterFailure = await store.get([...recordKeys][0] as string)
    firstExecution = false
    const retried = await runExecution(handler, event)

    expect(failed.getStatus()).toBe('FAILED')
    expect(heldAfterFailure).toBeUndefined()
    expect(retried.getStatus()).toBe('SUCCEEDED')
  })

  it('opens no PostgreSQL transaction for it after the invocation ended, so the next execution is not blocked', async () => {
    const { pool, applicationName } = postgres.storePool()
    const store = new PostgresStore({ pool, tableName: postgres.setup.idempotencyTable })
    let firstExecution = true
    let invocations = 0
    let lateWrite: unknown
    const answered = gate()
    const handler = makeDurableIdempotent(
      async (event: Payout, context: DurableContext) => {
        await context.step(firstExecution && ++invocations > 1 ? 'renamed' : 'pay', async () => 'paid')
        await context.wait({ seconds: 30 })
        // The handler the SDK failed gets here after its invocation was answered: a write now must be refused,
        // and must not begin a transaction nobody will ever end.
        if (firstExecution) await answered.opened
        try {
          await postgresTransactionOf(context).query(postgres.insert(), [event.payoutId, 1])
        } catch (error) {
          lateWrite = error
        }
        return 'done'
      },
      { store, ...durable },
    )
    const event = { payoutId: randomUUID() }

    const failed = await runExecution(handler, event)
    answered.open()
    await settleLeftovers()
    const idle = await postgres.idleInTransaction(applicationName)
    firstExecution = false
    const retried = await runExecution(handler, event)

    expect(failed.getStatus()).toBe('FAILED')
    expect(String(lateWrite)).toMatch(/abandoned|has ended/)
    expect(idle).toBe(0)
    expect(retried.getStatus()).toBe('SUCCEEDED')
    expect(await postgres.rowsOf(event.payoutId)).toBe(1)
  })
})

describe('an execution whose checkpoint the service refuses for good', () => {
  it('gives back a key claimed in a step whose checkpoint was refused, though the handler never ran', async () => {
    let runs = 0
    const store = dynamoDBStore()
    const handler = makeDurableIdempotent(
      async () => {
        runs++
        return 'done'
      },
      { store, ...durable },
    )
    const event = { payoutId: randomUUID() }

    const failed = await runExecution(refusingCheckpointOf(CLAIM_STEP, handler), event)
    const retried = await runExecution(handler, event)

    expect(failed.getStatus()).toBe('FAILED')
    expect(runs).toBe(1)
    expect(retried.getStatus()).toBe('SUCCEEDED')
  })
})

describe('an invocation the SDK ends for Lambda to retry', () => {
  it('keeps the key for the execution to resume, and ends the transaction the handler wrote through', async () => {
    const { pool, applicationName } = postgres.storePool()
    const recordKeys = new Set<string>()
    const store = new PostgresStore({ pool, tableName: postgres.setup.idempotencyTable })
    const handler = makeDurableIdempotent(
      async (event: Payout, context: DurableContext) => {
        recordKeyOf(context, recordKeys)
        await postgresTransactionOf(context).query(postgres.insert(), [event.payoutId, 1])
        // An error too large to checkpoint: the checkpoint service refuses it, and the SDK ends the invocation.
        await context.step(
          'report',
          async () => {
            throw new Error('x'.repeat(40_000))
          },
          { retryStrategy: () => ({ shouldRetry: false }) },
        )
        return 'done'
      },
      { store, ...durable },
    )
    const event = { payoutId: randomUUID() }

    await expect(runExecution(handler, event)).rejects.toThrow(/Checkpoint failed/)

    const record = await store.get([...recordKeys][0] as string)
    expect(record?.status).toBe('IN_PROGRESS')
    expect(await postgres.idleInTransaction(applicationName)).toBe(0)
    expect(await postgres.rowsOf(event.payoutId)).toBe(0)
  })
})

describe('the Lambda handler makeDurableIdempotent returns', () => {
  it('refuses to run inside withDurableExecution, saying to export it as is', async () => {
    const { withDurableExecution } = await import('@aws/durable-execution-sdk-js')
    const lambdaHandler = makeDurableIdempotent(async () => 'done', { store: dynamoDBStore(), ...durable })
    const wrappedTwice = withDurableExecution(lambdaHandler as never)

    const execution = await runExecution(wrappedTwice, { payoutId: randomUUID() })

    expect(execution.getStatus()).toBe('FAILED')
    expect(execution.getError().errorMessage).toMatch(/export it as is, without withDurableExecution/)
  })
})

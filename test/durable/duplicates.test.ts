import { randomUUID } from 'node:crypto'
import type { DurableContext } from '@aws/durable-execution-sdk-js'
import { describe, expect, it } from 'vitest'
import { makeDurableIdempotent } from '../../lib/durable/index.js'
import {
  type DynamoDBStore,
  type IdempotencyStore,
  IdempotencyStoreUnavailableError,
  idempotencyOf,
} from '../../lib/index.js'
import { fakeBank, gate, runExecution, useLocalDurableRunner } from '../support/durable.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()

interface Payout {
  readonly payoutId: string
  readonly amount: number
}
const payout = (amount = 100): Payout => ({ payoutId: randomUUID(), amount })
const ONE_DAY_SECONDS = 86_400

type Workflow = (
  event: Payout,
  context: DurableContext,
  bank: ReturnType<typeof fakeBank>,
) => Promise<unknown>

/** The workflow under the durable wrapper, with a bank shared by every execution the test runs. */
function durablePayout(workflow: Workflow, store: IdempotencyStore = dynamodb.store) {
  const bank = fakeBank()
  const handler = makeDurableIdempotent(
    (event: Payout, context: DurableContext) => workflow(event, context, bank),
    {
      store,
      key: (event) => event.payoutId,
      executionTimeoutSeconds: ONE_DAY_SECONDS,
      logger: silent,
    },
  )
  return { handler, bank }
}

/**
 * A retry later than the invocation can wait (the local runner gives each one 15 minutes): the invocation ends
 * and a new one replays the execution from its checkpoints, as Lambda does after an invocation crashed.
 */
const RETRY_IN_A_NEW_INVOCATION = {
  retryStrategy: (_error: Error, attempt: number) => ({ shouldRetry: attempt < 2, delay: { minutes: 20 } }),
}

const stableKey = (context: DurableContext, purpose: string) => {
  const handle = idempotencyOf(context)
  if (handle === undefined) throw new Error('no idempotency handle')
  return handle.stableKey(purpose)
}

describe('a second durable execution with the same key', () => {
  it('runs no step at all once the first has completed, and returns its result', async () => {
    let steps = 0
    const { handler, bank } = durablePayout(async (event, context, bank) => {
      const charge = await context.step('charge', async () => {
        steps++
        return bank.charge(stableKey(context, 'payout'), event.amount)
      })
      return { chargeId: charge.chargeId }
    })
    const event = payout()

    const first = await runExecution(handler, event)
    const second = await runExecution(handler, event)

    expect(second.getStatus()).toBe('SUCCEEDED')
    expect(second.getResult()).toEqual(first.getResult())
    expect(steps).toBe(1)
    expect(bank.calls).toBe(1)
  })

  it('fails without running a step while the first still runs, and with another payload fails as a mismatch', async () => {
    const held = gate()
    let steps = 0
    const { handler, bank } = durablePayout(async (event, context, bank) => {
      await context.step('charge', async () => {
        steps++
        await held.opened
        return bank.charge(stableKey(context, 'payout'), event.amount)
      })
      return 'paid'
    })
    const event = payout()
    const running = runExecution(handler, event)
    while (steps === 0) await new Promise((resolve) => setImmediate(resolve))

    const concurrent = await runExecution(handler, event)
    const otherPayload = await runExecution(handler, { ...event, amount: 999 })
    held.open()

    expect((await running).getStatus()).toBe('SUCCEEDED')
    expect(concurrent.getError().errorType).toBe('IdempotencyInProgressError')
    expect(otherPayload.getError().errorType).toBe('IdempotencyPayloadMismatchError')
    expect(steps).toBe(1)
    expect(bank.charges).toBe(1)
  })
})

describe('a durable execution interrupted between its checkpoints', () => {
  it('resumes after a crash between steps without a second bank call', async () => {
    let notifyAttempts = 0
    const { handler, bank } = durablePayout(async (event, context, bank) => {
      const charge = await context.step('charge', async () =>
        bank.charge(stableKey(context, 'payout'), event.amount),
      )
      await context.step(
        'notify',
        async () => {
          // The first attempt dies before its checkpoint: a new invocation replays from the last one.
          if (++notifyAttempts === 1) throw new Error('invocation crashed')
          return 'sent'
        },
        RETRY_IN_A_NEW_INVOCATION,
      )
      return { chargeId: charge.chargeId }
    })

    const execution = await runExecution(handler, payout())

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(notifyAttempts).toBe(2)
    // The second attempt ran in a new invocation, which replayed the charge from its checkpoint.
    expect(execution.getInvocations()).toHaveLength(2)
    expect(bank.calls).toBe(1)
  })

  it('moves money once when an attempt dies after the bank call but before the step checkpointed it', async () => {
    let attempts = 0
    const { handler, bank } = durablePayout(async (event, context, bank) => {
      const charge = await context.step(
        'charge',
        async () => {
          const made = await bank.charge(stableKey(context, 'payout'), event.amount)
          if (++attempts === 1) throw new Error('invocation crashed after the bank call')
          return made
        },
        RETRY_IN_A_NEW_INVOCATION,
      )
      return { chargeId: charge.chargeId }
    })

    const execution = await runExecution(handler, payout())

    expect(execution.getStatus()).toBe('SUCCEEDED')
    // Steps run at least once: the call was repeated, under the same key, and the bank moved money once.
    expect(execution.getInvocations()).toHaveLength(2)
    expect(bank.calls).toBe(2)
    expect(bank.charges).toBe(1)
  })
})

describe('the end of a durable execution', () => {
  it('releases the key of an execution that failed, so the next one runs and the bank still charges once', async () => {
    let failNext = true
    const { handler, bank } = durablePayout(async (event, context, bank) => {
      await context.step('charge', async () => bank.charge(stableKey(context, 'payout'), event.amount))
      if (failNext) {
        failNext = false
        throw new Error('ledger rejected the payout')
      }
      return 'paid'
    })
    const event = payout()

    const failed = await runExecution(handler, event)
    const retried = await runExecution(handler, event)

    expect(failed.getError().errorMessage).toBe('ledger rejected the payout')
    expect(retried.getStatus()).toBe('SUCCEEDED')
    expect(bank.calls).toBe(2)
    expect(bank.charges).toBe(1)
  })

  it('retries a completion the store could not take, durably, instead of failing the execution', async () => {
    let completions = 0
    const flaky: DynamoDBStore = Object.create(dynamodb.store)
    flaky.complete = async (record, ownWrites) => {
      if (++completions === 1) throw new IdempotencyStoreUnavailableError('complete', new Error('throttled'))
      return dynamodb.store.complete(record, ownWrites)
    }
    const { handler } = durablePayout(async () => 'paid', flaky)
    const event = payout()

    const execution = await runExecution(handler, event)
    const again = await runExecution(handler, event)

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(completions).toBe(2)
    expect(again.getResult()).toBe('paid')
  })
})

describe('makeDurableIdempotent options', () => {
  it.each([0, -1, 1.5, Number.NaN, 31_622_401])('refuses an execution timeout of %s seconds', (seconds) => {
    expect(() =>
      makeDurableIdempotent(async () => 'x', {
        store: dynamodb.store,
        key: () => 'k',
        executionTimeoutSeconds: seconds,
      }),
    ).toThrow(/executionTimeoutSeconds/)
  })

  it('accepts the longest execution timeout Lambda allows, 366 days', () => {
    expect(() =>
      makeDurableIdempotent(async () => 'x', {
        store: dynamodb.store,
        key: () => 'k',
        executionTimeoutSeconds: 31_622_400,
      }),
    ).not.toThrow()
  })
})

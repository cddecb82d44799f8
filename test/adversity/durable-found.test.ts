import { randomUUID } from 'node:crypto'
import type { DurableContext } from '@aws/durable-execution-sdk-js'
import { afterAll, describe, expect, it } from 'vitest'
import { makeDurableIdempotent } from '../../lib/durable/index.js'
import { idempotencyOf } from '../../lib/index.js'
import { runExecution, useLocalDurableRunner } from '../support/durable.js'
import { postgresLedger } from '../support/durable-ledgers.js'
import { silent } from '../support/events.js'
import { type FaultKind, faultPlan } from '../support/faults.js'
import { newInvocationDelay, onServiceClock } from '../support/model-durable-clock.js'
import { postgresDurableBackend } from '../support/model-durable-stores.js'

// What the durable adversity model found, each in its smallest form, against the real SDK on its local runner and
// a real PostgreSQL: regression tests for the fixes of de9d56a. (The model also found an SDK failure at the last
// step keeping its key, and a handler the SDK left running opening a transaction after its invocation ended; the
// fix of 08b2551 came with tests of its own, in test/durable/failed-execution.test.ts.)

useLocalDurableRunner()
const ledger = postgresLedger()
const postgres = postgresDurableBackend(ledger)
afterAll(() => postgres.close())

interface Payout {
  readonly id: string
}

/** A durable handler on a PostgreSQL store that meets `faults`, and its record, read back. */
function payout(
  faults: Partial<Record<string, FaultKind[]>>,
  workflow: (event: Payout, context: DurableContext) => Promise<string>,
) {
  const { backend } = postgres
  const seen = { recordKey: '' }
  const { store } = backend.open(faultPlan(faults))
  const handler = makeDurableIdempotent(
    async (event: Payout, context: DurableContext) => {
      seen.recordKey = idempotencyOf(context)?.recordKey ?? ''
      return workflow(event, context)
    },
    { store, key: (event) => event.id, executionTimeoutSeconds: 86_400, logger: silent },
  )
  return { handler, record: () => backend.readRecord(seen.recordKey) }
}

/** The ledger row, written through the handler's transaction outside steps. */
const credit = (context: DurableContext, event: Payout) => postgres.backend.credit(context, event.id, 100)

describe('found by the durable model: the release of an execution the SDK failed was one store call', () => {
  it('gives the key back when the first release attempt of an execution the SDK failed meets a dropped connection', async () => {
    // The release step of a handler that threw retries for 45 minutes; the release after an SDK failure, in the
    // invocation the SDK answered FAILED, was tried once: one dropped connection kept the key to its lease.
    const { handler, record } = payout({ DELETE: ['network'] }, async (_event, context) => {
      // The parent context used inside a child context: the SDK fails the execution.
      await context.runInChildContext('group', () => context.step('pay', async () => 'paid'))
      return 'done'
    })

    const failed = await runExecution(handler, { id: randomUUID() })

    expect(failed.getStatus()).toBe('FAILED')
    expect((await record())?.status).toBeUndefined()
  })
})

describe('found by the durable model: a completion retried in the invocation that lost its transaction', () => {
  it.each([
    ['COMMIT', 'network'],
    ['COMMIT', 'throttle'],
    ['UPDATE', 'timeout-after-write'],
  ] as const)(
    'completes once when the %s with a ledger row meets a %s fault and did not land',
    async (command, fault) => {
      // A failed attempt takes the transaction with it (its connection closed, the server rolls it back). A retry
      // made in the same invocation (due at once: here the function's clock is 5 minutes ahead of the service's, as
      // after checkpoints slower than the retry delays) had only that transaction, and failed again, every time,
      // until the execution failed. Now such a retry asks for a delay past the invocation, and the next invocation
      // makes the writes again.
      const { handler, record } = payout({ [command]: [fault] }, async (event, context) => {
        await context.step('pay', async () => 'paid')
        await credit(context, event)
        await context.wait(newInvocationDelay())
        return 'done'
      })
      const event = { id: randomUUID() }

      const execution = await runExecution(onServiceClock(handler, 5 * 60 * 1000), event)

      expect(execution.getStatus()).toBe('SUCCEEDED')
      expect((await record())?.status).toBe('COMPLETED')
      expect((await postgres.backend.credits(event.id)).count).toBe(1)
    },
  )
})

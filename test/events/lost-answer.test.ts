import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  DynamoDBVersionStore,
  DynamoDBWatermarkStore,
  makeVersioned,
  watermarkJob,
} from '../../lib/events/index.js'
import { idempotencyOf } from '../../lib/index.js'
import { dynamoDBBalances } from '../support/durable-ledgers.js'
import { type FaultKind, faultyClient } from '../support/faults.js'
import { lambdaContext } from '../support/records.js'

// The event helpers' own stores, when the answer to a completion that landed is lost: the version or the
// watermark moved once, and the caller hears that it did, rather than an error that redelivers the work.

const ledger = dynamoDBBalances()

const outcome = (run: Promise<{ kind: string }>) =>
  run.then(
    (done) => `ok ${done.kind}`,
    (error: Error) => `threw ${error.name}`,
  )

describe('makeVersioned, when a version completion landed but its answer was lost', () => {
  it.each([
    ['the completion alone, retried by the SDK', 'UpdateItemCommand', 3],
    ['the completion alone, not retried', 'UpdateItemCommand', 1],
    ['the completion with own writes', 'TransactWriteItemsCommand', 1],
  ] as const)('answers processed and applies once: %s', async (_, command, maxAttempts) => {
    // The claim is an UpdateItem too: it goes through, and the completion meets the fault.
    const faults: FaultKind[] =
      command === 'UpdateItemCommand' ? ['none', 'timeout-after-write'] : ['timeout-after-write']
    const { client } = faultyClient({ [command]: faults }, maxAttempts)
    const account = randomUUID()
    let runs = 0
    const apply = makeVersioned(
      async (event: { id: string; version: number }, context: object) => {
        runs++
        if (command === 'TransactWriteItemsCommand')
          idempotencyOf(context)?.addToCompletion(ledger.credit(event.id, 100))
        return 'applied'
      },
      {
        store: new DynamoDBVersionStore({ tableName: ledger.tables.idempotency, client }),
        entity: (event) => ({ id: event.id, version: event.version }),
      },
    )
    const event = { id: account, version: 1 }

    expect(await outcome(apply(event, lambdaContext()))).toBe('ok processed')
    expect(await outcome(apply(event, lambdaContext()))).toBe('ok stale')
    expect(runs).toBe(1)
    if (command === 'TransactWriteItemsCommand') expect(await ledger.balanceOf(account)).toBe(100)
  })
})

describe('a watermark job, when its final advance landed but its answer was lost', () => {
  it.each([1, 3])(
    'answers advanced, and the next run starts from the new mark (SDK attempts: %i)',
    async (maxAttempts) => {
      // claim, then the final advance: both UpdateItem.
      const { client } = faultyClient({ UpdateItemCommand: ['none', 'timeout-after-write'] }, maxAttempts)
      const job = watermarkJob({
        store: new DynamoDBWatermarkStore({ tableName: ledger.tables.idempotency, client }),
        name: `export-${randomUUID()}`,
        initial: 0,
      })

      expect(await outcome(job.run(async ({ from }) => from + 10))).toBe('ok advanced')
      const next = await job.run(async ({ from }) => from + 5)
      expect(next).toEqual({ kind: 'advanced', from: 10, to: 15 })
    },
  )
})

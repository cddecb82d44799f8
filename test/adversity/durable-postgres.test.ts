import { afterAll, describe, expect, it } from 'vitest'
import { useLocalDurableRunner } from '../support/durable.js'
import { postgresLedger } from '../support/durable-ledgers.js'
import { chosen, execution } from '../support/model-durable.js'
import { rollbackSkippingStore } from '../support/model-durable-broken.js'
import { randomizedDurableModel } from '../support/model-durable-random.js'
import { checkedDurableRun } from '../support/model-durable-run.js'
import { postgresDurableBackend } from '../support/model-durable-stores.js'

// The durable model of test/adversity/durable.test.ts on PostgreSQL: the own write is a ledger row inserted
// through the handler's transaction, faults come as refused and dropped connections before and after each
// statement of the store lands, and deleteExpiredRecords runs in a loop beside the claims of reused keys.
// After every run, no session of the store's pool may be left idle in a transaction.

useLocalDurableRunner()
const ledger = postgresLedger()
const model = randomizedDurableModel('durable adversity model on PostgreSQL')
const postgres = postgresDurableBackend(ledger)
const noRollback = postgresDurableBackend(ledger, rollbackSkippingStore)
afterAll(async () => {
  console.log(`durable adversity model on PostgreSQL, totals: ${JSON.stringify(model.totals)}`)
  await Promise.all([postgres.close(), noRollback.close()])
})

describe('the durable model on chosen runs, on PostgreSQL', () => {
  it('writes the ledger row once when the connection dropped after COMMIT, after a crash and a suspension at every step', async () => {
    const run = chosen([[execution({ crashAt: 2, ownWriteAt: 0 })]], { COMMIT: ['timeout-after-write'] })

    const summary = await checkedDurableRun(run, postgres.backend)

    // Three waits and the crash's retry; the completion that landed unseen is read back, not retried.
    expect(summary).toMatchObject({ executions: 1, succeeded: 1, crashes: 1, suspensions: 4 })
    expect(summary.faults).toEqual({ 'timeout-after-write (applied)': 1 })
  })

  it("catches a store that leaves each invocation's transaction open across its suspension (the checks can fail)", async () => {
    const run = chosen([[execution({ ownWriteAt: 0 })]])

    const broken = checkedDurableRun(run, noRollback.backend)

    await expect(broken).rejects.toThrow(/transactionsLeftOpen: [1-9]\d* session\(s\) of the store left idle/)
  })

  it('claims reused keys past their expiry while the cleanup runs beside them, deleting only expired rows', async () => {
    const run = chosen([
      [execution(), execution({ key: 1 }), execution({ key: 2, failure: 'handler-throws', failAt: 2 })],
      {
        aged: true,
        executions: [execution(), execution({ key: 1, crashAt: 0 }), execution({ key: 2, mismatch: true })],
      },
      { aged: true, executions: [execution({ key: 1 }), execution({ key: 1 }), execution({ key: 2 })] },
    ])

    const summary = await checkedDurableRun(run, postgres.backend)

    expect(summary).toMatchObject({ reusedKeys: 5, handlerFailures: 1, releasedAfterFailure: 1 })
    expect(summary.succeeded).toBeGreaterThanOrEqual(7)
  })

  it('gives back the key of an execution the SDK failed after it wrote a ledger row, and commits none', async () => {
    const run = chosen([
      [execution({ failure: 'renamed-step', failAt: 1, ownWriteAt: 0 })],
      [execution({ failure: 'context-misuse', failAt: 0, ownWriteAt: 0 })],
      [execution()],
    ])

    const summary = await checkedDurableRun(run, postgres.backend)

    expect(summary).toMatchObject({ sdkFailures: 2, releasedAfterFailure: 2, succeeded: 1 })
  })
})

describe('randomized durable executions against PostgreSQL', () => {
  it(
    'moves money once, commits every ledger row once, gives back every failed key, and leaves no transaction open',
    () => model.run(postgres.backend),
    model.timeoutMs,
  )
})

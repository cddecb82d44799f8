import { afterAll, describe, expect, it } from 'vitest'
import { useLocalDurableRunner } from '../support/durable.js'
import { dynamoDBBalances } from '../support/durable-ledgers.js'
import { chosen, execution } from '../support/model-durable.js'
import { tokenFencedStore } from '../support/model-durable-broken.js'
import { randomizedDurableModel } from '../support/model-durable-random.js'
import { checkedDurableRun } from '../support/model-durable-run.js'
import { dynamoDBDurableBackend } from '../support/model-durable-stores.js'

// Durable executions of a payout workflow on the SDK's local runner, its claim, completion and own writes on
// DynamoDB Local: every step boundary a suspension, every crash retried in a new invocation, store faults
// before and after the writes land, executions the SDK fails itself, and TTL deleting expired records beside
// claims of the keys reused past them. The model and its checks: test/support/model-durable*.ts.

useLocalDurableRunner()
const balances = dynamoDBBalances()
const model = randomizedDurableModel('durable adversity model on DynamoDB Local')
afterAll(() =>
  console.log(`durable adversity model on DynamoDB Local, totals: ${JSON.stringify(model.totals)}`),
)

/** The completion landed, its answer was lost, and the read-back that would have told was lost too. */
const LOST_ANSWER_AND_READ = {
  TransactWriteItemsCommand: ['timeout-after-write'],
  GetItemCommand: ['network'],
} as const

describe('the durable model on chosen runs, on DynamoDB Local', () => {
  it('credits the balance once when the completion landed unseen, after a crash and a suspension at every step', async () => {
    const run = chosen([[execution({ crashAt: 1 })]], LOST_ANSWER_AND_READ)

    const summary = await checkedDurableRun(run, dynamoDBDurableBackend(balances))

    // Three waits, the crash's retry, and the completion's: each a suspension, and a new invocation after it.
    expect(summary).toMatchObject({ executions: 1, succeeded: 1, crashes: 1, suspensions: 5 })
    expect(summary.faults).toEqual({ 'timeout-after-write (applied)': 1, 'network (not-sent)': 1 })
  })

  it('catches a completion fenced by the token alone that sends its own writes again (the checks can fail)', async () => {
    const run = chosen([[execution({ crashAt: 1 })]], LOST_ANSWER_AND_READ)

    const broken = checkedDurableRun(run, dynamoDBDurableBackend(balances, tokenFencedStore))

    await expect(broken).rejects.toThrow(/doubleEffects: .*the own write committed 2 times/)
  })

  it('runs one execution of a key at a time: a duplicate started beside it conflicts, another payload mismatches', async () => {
    const run = chosen([[execution(), execution(), execution({ mismatch: true })], [execution()]])

    const summary = await checkedDurableRun(run, dynamoDBDurableBackend(balances))

    // Whichever claims first runs; the others conflict, mismatch, or (the last, same payload) replay its result.
    expect(summary.succeeded - summary.replays).toBe(1)
    expect(summary.conflicts + summary.mismatches + summary.replays).toBe(3)
  })

  it('gives back the key of an execution the SDK failed, so the next execution with the key completes it', async () => {
    const run = chosen([
      [execution({ failure: 'renamed-step', failAt: 0 })],
      [execution({ failure: 'context-misuse', failAt: 1 })],
      [execution({ failure: 'handler-throws', failAt: 1 })],
      [execution()],
    ])

    const summary = await checkedDurableRun(run, dynamoDBDurableBackend(balances))

    expect(summary).toMatchObject({
      sdkFailures: 2,
      handlerFailures: 1,
      releasedAfterFailure: 3,
      succeeded: 1,
    })
  })

  it('claims a key again past its expiry, beside a TTL deleter that deletes only expired records', async () => {
    const run = chosen([
      [execution(), execution({ key: 1 })],
      { aged: true, executions: [execution(), execution(), execution({ key: 1, crashAt: 0 })] },
    ])

    const summary = await checkedDurableRun(run, dynamoDBDurableBackend(balances))

    expect(summary).toMatchObject({ reusedKeys: 2, succeeded: 4, conflicts: 1 })
  })
})

describe('randomized durable executions against DynamoDB Local', () => {
  it(
    'moves money once, commits every own write once, and gives back the key of every failed execution',
    () => model.run(dynamoDBDurableBackend(balances)),
    model.timeoutMs,
  )
})

import { randomUUID } from 'node:crypto'
import type { DurableContext } from '@aws/durable-execution-sdk-js'
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb'
import { describe, expect, inject, it } from 'vitest'
import { makeDurableIdempotent } from '../../lib/durable/index.js'
import {
  DynamoDBStore,
  type IdempotencyOutcome,
  type IdempotencyStore,
  idempotencyOf,
} from '../../lib/index.js'
import { localDynamoDBClientConfig } from '../../scripts/dynamodb-local.js'
import { fakeBank, gate, runExecution, useLocalDurableRunner } from '../support/durable.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'
import { injectFaults, instantRetries } from '../support/faults.js'

useLocalDurableRunner()
const dynamodb = idempotencyStoreOnDynamoDBLocal()

interface Payout {
  readonly payoutId: string
  readonly amount: number
}
const payout = (amount = 100): Payout => ({ payoutId: randomUUID(), amount })
/** The execution timeout the durable function is deployed with (CDK `durableConfig.executionTimeout`). */
const ONE_DAY_SECONDS = 86_400

/**
 * A payout workflow: one bank call keyed by `stableKey('payout')`, a wait that ends the invocation (everything
 * after it runs in a replay), and a receipt step. Counts what each part did.
 */
function payoutWorkflow(
  options: { store?: IdempotencyStore; now?: () => number; hold?: Promise<void> } = {},
) {
  const bank = fakeBank()
  const seen = {
    invocations: 0,
    chargeAttempts: 0,
    recordKeys: new Set<string>(),
    stableKeys: new Set<string>(),
  }
  const outcomes: IdempotencyOutcome['type'][] = []
  const handler = makeDurableIdempotent(
    async (event: Payout, context: DurableContext) => {
      seen.invocations++
      const handle = idempotencyOf(context)
      if (handle === undefined) throw new Error('no idempotency handle in the durable handler')
      seen.recordKeys.add(handle.recordKey)
      seen.stableKeys.add(handle.stableKey('payout'))
      const charge = await context.step('charge', async () => {
        seen.chargeAttempts++
        await options.hold
        return bank.charge(handle.stableKey('payout'), event.amount)
      })
      await context.wait({ seconds: 30 })
      const receipt = await context.step('receipt', async () => `receipt for ${charge.chargeId}`)
      return { chargeId: charge.chargeId, receipt }
    },
    {
      store: options.store ?? dynamodb.store,
      key: (event) => event.payoutId,
      executionTimeoutSeconds: ONE_DAY_SECONDS,
      logger: silent,
      onOutcome: (outcome) => outcomes.push(outcome.type),
      now: options.now,
    },
  )
  return { handler, bank, seen, outcomes }
}

describe('a durable handler under an idempotency key', () => {
  it('continues every replay under its own claim: one claim write and one completion for the whole execution', async () => {
    const { handler, bank, seen, outcomes } = payoutWorkflow()

    const execution = await runExecution(handler, payout())

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(execution.getResult()).toEqual({ chargeId: 'ch_1', receipt: 'receipt for ch_1' })
    // The wait ended the first invocation; the replay held the same key, with the same stable key.
    expect(seen.invocations).toBeGreaterThanOrEqual(2)
    expect(seen.recordKeys.size).toBe(1)
    expect(seen.stableKeys.size).toBe(1)
    expect(bank.calls).toBe(1)
    expect(outcomes).toEqual(['fresh'])
    expect(dynamodb.commands.counts()).toEqual({ PutItem: 1, UpdateItem: 1 })
  })

  it('finds its own claim when the claim step runs again after a write whose answer was lost', async () => {
    // DynamoDB applies the claim, the answer never arrives, and the SDK gives up: the claim step fails after
    // its write landed, so the SDK runs it again. The token is the execution's own, so the refused write is
    // this execution's claim, not a conflict with itself.
    const client = new DynamoDBClient({
      ...localDynamoDBClientConfig(inject('dynamodbEndpoint')),
      retryStrategy: instantRetries(1),
    })
    let claims = 0
    injectFaults(client, {
      next: (command) => (command === 'PutItemCommand' && ++claims === 1 ? 'timeout-after-write' : 'none'),
    })
    const store = new DynamoDBStore({ tableName: dynamodb.store.tableName, client })
    const { handler, bank } = payoutWorkflow({ store })

    const execution = await runExecution(handler, payout())

    expect(execution.getStatus()).toBe('SUCCEEDED')
    expect(claims).toBe(2)
    expect(bank.charges).toBe(1)
  })

  it('keeps a claim for the execution timeout, not for one 15-minute invocation', async () => {
    let nowMs = Date.UTC(2026, 10, 27, 12, 0, 0)
    const held = gate()
    const first = payoutWorkflow({ now: () => nowMs, hold: held.opened })
    const event = payout()
    const running = runExecution(first.handler, event)
    await waitUntil(() => first.seen.chargeAttempts === 1)

    // Two hours later the first execution is still running: a plain Lambda lease (its remaining time) ended
    // long ago, the execution's lease has not.
    nowMs += 2 * 60 * 60 * 1000
    const second = payoutWorkflow({ now: () => nowMs })
    const duplicate = await runExecution(second.handler, event)
    expect(duplicate.getStatus()).toBe('FAILED')
    expect(duplicate.getError().errorType).toBe('IdempotencyInProgressError')
    expect(second.seen.chargeAttempts).toBe(0)

    held.open()
    expect((await running).getStatus()).toBe('SUCCEEDED')
    expect(first.bank.charges + second.bank.charges).toBe(1)
  })

  it('stores a claim whose lease and retention cover the execution timeout', async () => {
    const startedAtMs = Date.UTC(2026, 10, 27, 12, 0, 0)
    const held = gate()
    const { handler, seen } = payoutWorkflow({ now: () => startedAtMs, hold: held.opened })
    const running = runExecution(handler, payout())
    await waitUntil(() => seen.recordKeys.size === 1)

    const [recordKey] = seen.recordKeys
    const { Item } = await dynamodb.client.send(
      new GetItemCommand({ TableName: dynamodb.store.tableName, Key: { id: { S: recordKey as string } } }),
    )
    held.open()
    await running
    const leaseUntilMs = Number(Item?.leaseUntilMs?.N)
    expect(leaseUntilMs).toBeGreaterThanOrEqual(startedAtMs + ONE_DAY_SECONDS * 1000)
    expect(Number(Item?.expiresAt?.N) * 1000).toBeGreaterThanOrEqual(leaseUntilMs)
  })
})

/** Polls a condition an execution running in the background makes true. */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error('condition never became true')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createIdempotencyEngine } from '../../lib/engine.js'
import type { IdempotencyOutcome } from '../../lib/index.js'
import { idempotencyStoreOnDynamoDBLocal, silent } from '../support/events.js'
import { NOW_MS } from '../support/records.js'

const dynamodb = idempotencyStoreOnDynamoDBLocal()
const DAY_MS = 86_400_000

function engineAt(clock: { nowMs: number }) {
  const outcomes: IdempotencyOutcome['type'][] = []
  const engine = createIdempotencyEngine<{ id: string }, string>({
    store: dynamodb.store,
    key: (event) => event.id,
    now: () => clock.nowMs,
    logger: silent,
    onOutcome: (outcome) => outcomes.push(outcome.type),
  })
  return { engine, outcomes }
}

const begunInvocation = (begun: Awaited<ReturnType<ReturnType<typeof engineAt>['engine']['begin']>>) => {
  if (begun.kind !== 'execute') throw new Error(`expected to execute, got ${begun.kind}`)
  return begun.invocation
}

describe('the engine under claim terms', () => {
  it('claims with the caller’s token and lease, and a later begin with that token continues under the claim', async () => {
    const clock = { nowMs: NOW_MS }
    const { engine, outcomes } = engineAt(clock)
    const event = { id: randomUUID() }
    const terms = { token: 'execution-token', leaseMs: DAY_MS }

    const first = begunInvocation(await engine.begin(event, undefined, undefined, terms))
    clock.nowMs += 2 * 60 * 60 * 1000
    const again = begunInvocation(await engine.begin(event, undefined, undefined, terms))

    expect(first.token).toBe('execution-token')
    expect(first.leaseUntilEpochMs).toBe(NOW_MS + DAY_MS)
    // The stored claim, lease and all: the later begin neither renews nor replaces it.
    expect(again).toMatchObject({
      key: first.key,
      token: first.token,
      leaseUntilEpochMs: first.leaseUntilEpochMs,
    })
    expect(outcomes).toEqual(['fresh'])
  })

  it('refuses another token while the caller’s lease lasts', async () => {
    const clock = { nowMs: NOW_MS }
    const { engine } = engineAt(clock)
    const event = { id: randomUUID() }
    await engine.begin(event, undefined, undefined, { token: 'execution-a', leaseMs: DAY_MS })
    clock.nowMs += DAY_MS - 1

    await expect(
      engine.begin(event, undefined, undefined, { token: 'execution-b', leaseMs: DAY_MS }),
    ).rejects.toThrow(/still being processed/)
  })

  it('claims again, with a fresh lease, when the caller’s own claim outlived its lease', async () => {
    const clock = { nowMs: NOW_MS }
    const { engine } = engineAt(clock)
    const event = { id: randomUUID() }
    const terms = { token: 'execution-token', leaseMs: 60_000 }
    await engine.begin(event, undefined, undefined, terms)
    clock.nowMs += 61_000

    const again = begunInvocation(await engine.begin(event, undefined, undefined, terms))

    expect(again.leaseUntilEpochMs).toBe(clock.nowMs + 60_000)
    expect(dynamodb.commands.counts()).toEqual({ PutItem: 2 })
  })
})

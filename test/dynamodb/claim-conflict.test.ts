import { randomUUID } from 'node:crypto'
import { TransactionConflictException } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { DynamoDBStore, makeIdempotent } from '../../lib/index.js'
import { gate } from '../support/durable.js'
import { dynamoDBBalances } from '../support/durable-ledgers.js'
import { clientWithFaults } from '../support/faults.js'
import { lambdaContext } from '../support/records.js'

// DynamoDB refuses a PutItem on an item an ongoing TransactWriteItems includes with TransactionConflictException:
// a duplicate's claim sent while the first request's completion transaction runs. DynamoDB Local serializes
// requests and never answers it, so it is injected, before the request is sent (nothing is written).

const balances = dynamoDBBalances()
const silent = { warn: () => undefined }

/** A client whose next `conflicts` claims meet a completion transaction in progress on their item. */
function conflictingClaims() {
  const state = { conflicts: 0 }
  const client = clientWithFaults({ next: () => 'none' })
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutItemCommand' && state.conflicts > 0) {
        state.conflicts--
        throw new TransactionConflictException({
          message: 'Transaction is ongoing for the item (injected)',
          $metadata: { httpStatusCode: 400 },
        })
      }
      return next(args)
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectedClaimConflict' },
  )
  return { client, state }
}

describe('a claim DynamoDB refuses because a transaction on its record is in progress', () => {
  it('is answered as a duplicate of the request in flight, not as a store outage', async () => {
    const { client, state } = conflictingClaims()
    const store = new DynamoDBStore({ tableName: balances.tables.idempotency, client })
    const outcomes: string[] = []
    const release = gate()
    const started = gate()
    const handler = makeIdempotent(
      async () => {
        started.open()
        await release.opened
        return 'done'
      },
      {
        store,
        key: (event: { id: string }) => event.id,
        logger: silent,
        maxWaitMs: 0,
        onOutcome: (o) => outcomes.push(o.type),
      },
    )
    const event = { id: randomUUID() }

    const first = handler(event, lambdaContext())
    await started.opened
    state.conflicts = 1
    const duplicate = await handler(event, lambdaContext()).catch((error: unknown) => error)
    release.open()

    expect(duplicate).toMatchObject({ code: 'in-progress' })
    expect(outcomes).not.toContain('store-error')
    await expect(first).resolves.toBe('done')
  })
})

import { randomUUID } from 'node:crypto'
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { DynamoDBStore, idempotencyOf, makeIdempotent } from '../../lib/index.js'
import { dynamoDBBalances } from '../support/durable-ledgers.js'
import { clientWithFaults } from '../support/faults.js'
import { lambdaContext } from '../support/records.js'

// DynamoDB cancels a TransactWriteItems with a TransactionConflict reason when a PutItem, UpdateItem or
// DeleteItem on one of its items is in progress: a duplicate's claim of the key, sent while the first request
// completes, is exactly that. DynamoDB Local serializes requests and never answers it, so it is injected here,
// before the request is sent (nothing is applied), shaped as the SDK throws it.

const balances = dynamoDBBalances()
const silent = { warn: () => undefined }

/** A client whose first `conflicts` completion transactions are cancelled by a conflicting write. */
function conflictingClient(conflicts: number) {
  let left = conflicts
  const client = clientWithFaults({ next: () => 'none' })
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand' && left-- > 0)
        throw new TransactionCanceledException({
          message:
            'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None] (injected)',
          CancellationReasons: [
            { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
            { Code: 'None' },
          ],
          $metadata: { httpStatusCode: 400 },
        })
      return next(args)
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectedConflict' },
  )
  return client
}

describe('a completion transaction DynamoDB cancels for a conflicting write on its record', () => {
  it('is sent again, so the request answers its result, credits once, and a retry replays it', async () => {
    const store = new DynamoDBStore({ tableName: balances.tables.idempotency, client: conflictingClient(1) })
    let runs = 0
    const outcomes: string[] = []
    const handler = makeIdempotent(
      async (event: { account: string }, context: object) => {
        runs++
        idempotencyOf(context)?.addToCompletion(balances.credit(event.account, 100))
        return { credited: 100 }
      },
      { store, key: (event) => event.account, logger: silent, onOutcome: (o) => outcomes.push(o.type) },
    )
    const event = { account: randomUUID() }

    await expect(handler(event, lambdaContext())).resolves.toEqual({ credited: 100 })
    await expect(handler(event, lambdaContext())).resolves.toEqual({ credited: 100 })

    expect(runs).toBe(1)
    expect(outcomes).toEqual(['fresh', 'replay'])
    expect(await balances.balanceOf(event.account)).toBe(100)
  })
  it('is an outage once the conflict outlasts its few tries: nothing credited, and the key kept to its lease', async () => {
    const store = new DynamoDBStore({ tableName: balances.tables.idempotency, client: conflictingClient(99) })
    let runs = 0
    const handler = makeIdempotent(
      async (event: { account: string }, context: object) => {
        runs++
        idempotencyOf(context)?.addToCompletion(balances.credit(event.account, 100))
        return { credited: 100 }
      },
      { store, key: (event) => event.account, logger: silent, maxWaitMs: 0 },
    )
    const event = { account: randomUUID() }

    await expect(handler(event, lambdaContext())).rejects.toMatchObject({ code: 'store-unavailable' })
    await expect(handler(event, lambdaContext())).rejects.toMatchObject({ code: 'in-progress' })

    expect(runs).toBe(1)
    expect(await balances.balanceOf(event.account)).toBe(0)
  })
})

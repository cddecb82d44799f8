import { createServer } from 'node:net'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { describe, expect, it, vi } from 'vitest'
import { DynamoDBStore, IdempotencyStoreUnavailableError, makeIdempotent } from '../../lib/index.js'
import { lambdaContext } from '../support/records.js'

describe('an unreachable store, through the real SDK', () => {
  it('fails closed after the SDK retries a refused connection', async () => {
    const port = await closedPort()
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 3,
    })
    const body = vi.fn(async () => 'charged')
    const handler = makeIdempotent(body, {
      store: new DynamoDBStore({ tableName: 'idempotency', client }),
      key: () => 'k',
      logger: { warn: () => undefined },
    })
    await expect(handler({}, lambdaContext())).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError)
    expect(body).not.toHaveBeenCalled()
  })
})

/** A port that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address ? address.port : 0
}

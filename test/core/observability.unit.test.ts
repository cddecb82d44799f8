import { afterEach, describe, expect, it, vi } from 'vitest'
import { makeIdempotentBatchHandler, sqsBatch } from '../../lib/events/index.js'
import { makeHttpIdempotent } from '../../lib/http/index.js'
import {
  type IdempotencyLogger,
  IdempotencyStoreUnavailableError,
  InMemoryStore,
  logOutcomes,
  makeIdempotent,
} from '../../lib/index.js'
import { sha256 } from '../../lib/store/index.js'
import { sqsEvent, sqsRecord } from '../support/events.js'
import { httpApiEvent } from '../support/http-events.js'
import { lambdaContext } from '../support/records.js'

const RAW_KEY = 'order-7f3a-secret-looking-key'
const SECRET = 'card 4111 1111 1111 1111'
const silent = { warn: () => {} }

type Line = { level: keyof IdempotencyLogger; message: string; fields: Record<string, unknown> }

function capturingLogger() {
  const lines: Line[] = []
  const at = (level: Line['level']) => (message: string, fields: Record<string, unknown>) =>
    lines.push({ level, message, fields })
  const logger: IdempotencyLogger = { info: at('info'), warn: at('warn'), error: at('error') }
  return { logger, lines }
}

/** Fails as DynamoDBStore does once the SDK's retries are spent. */
class UnreachableStore extends InMemoryStore {
  override async acquire(): Promise<never> {
    throw new IdempotencyStoreUnavailableError('acquire', new Error('ECONNREFUSED'))
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('logOutcomes', () => {
  it('logs one line per outcome with the hashed record key, at a level that fits the outcome', async () => {
    const { logger, lines } = capturingLogger()
    const handler = makeIdempotent(async (event: { id: string; note: string }) => ({ ok: event.note }), {
      store: new InMemoryStore(),
      key: (event) => event.id,
      logger: silent,
      onOutcome: logOutcomes(logger),
    })
    await handler({ id: RAW_KEY, note: SECRET }, lambdaContext())
    await handler({ id: RAW_KEY, note: SECRET }, lambdaContext())
    await expect(handler({ id: RAW_KEY, note: 'other' }, lambdaContext())).rejects.toThrow()

    const recordKey = `payments#handler#${sha256(RAW_KEY)}`
    expect(lines).toEqual([
      { level: 'info', message: 'idempotency outcome', fields: { idempotencyOutcome: 'fresh', recordKey } },
      {
        level: 'info',
        message: 'idempotency outcome',
        fields: { idempotencyOutcome: 'replay', recordKey, fromCache: false },
      },
      {
        level: 'warn',
        message: 'idempotency outcome',
        fields: { idempotencyOutcome: 'mismatch', recordKey, fromCache: false },
      },
    ])
    expect(JSON.stringify(lines)).not.toContain(RAW_KEY)
    expect(JSON.stringify(lines)).not.toContain(SECRET)
  })

  it('logs a released key when the handler fails, so a retry is expected to run again', async () => {
    const { logger, lines } = capturingLogger()
    const handler = makeIdempotent(
      async () => {
        throw new Error('downstream down')
      },
      { store: new InMemoryStore(), key: () => RAW_KEY, logger: silent, onOutcome: logOutcomes(logger) },
    )
    await expect(handler({}, lambdaContext())).rejects.toThrow('downstream down')
    expect(lines.map((line) => line.fields.idempotencyOutcome)).toEqual(['fresh', 'released'])
  })

  it('logs a store outage as an error with its code, and the handler does not run', async () => {
    const { logger, lines } = capturingLogger()
    const down = new UnreachableStore()
    const body = vi.fn(async () => 'ran')
    const handler = makeIdempotent(body, {
      store: down,
      key: () => RAW_KEY,
      logger: silent,
      onOutcome: logOutcomes(logger),
    })
    await expect(handler({}, lambdaContext())).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError)
    expect(body).not.toHaveBeenCalled()
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({
          idempotencyOutcome: 'store-error',
          errorName: 'IdempotencyStoreUnavailableError',
          errorCode: 'store-unavailable',
          errorMessage: expect.stringContaining('ECONNREFUSED'),
        }),
      }),
    ])
  })

  it('writes JSON lines on stdout when given no logger', async () => {
    const written: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    const handler = makeIdempotent(async () => 'ok', {
      store: new InMemoryStore(),
      key: () => RAW_KEY,
      onOutcome: logOutcomes(),
    })
    await handler({}, lambdaContext())
    vi.restoreAllMocks()
    const lines = written.join('').trimEnd().split('\n')
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        level: 'INFO',
        message: 'idempotency outcome',
        idempotencyOutcome: 'fresh',
        recordKey: `payments#handler#${sha256(RAW_KEY)}`,
      },
    ])
  })
})

describe('outcomes reach onOutcome through every preset', () => {
  it('the HTTP preset reports claims and replays, scoped to the caller and still hashed', async () => {
    const { logger, lines } = capturingLogger()
    const handler = makeHttpIdempotent(async () => ({ statusCode: 201, body: '{}' }), {
      store: new InMemoryStore(),
      logger: silent,
      onOutcome: logOutcomes(logger),
    })
    const event = httpApiEvent({ sub: 'user-1', headers: { 'idempotency-key': RAW_KEY }, body: { SECRET } })
    await handler(event, lambdaContext() as never)
    await handler(event, lambdaContext() as never)
    expect(lines.map((line) => line.fields.idempotencyOutcome)).toEqual(['fresh', 'replay'])
    expect(JSON.stringify(lines)).not.toContain(RAW_KEY)
    expect(JSON.stringify(lines)).not.toContain('user-1')
  })

  it('the batch helpers report one outcome per record, and skipped duplicates as replays', async () => {
    const { logger, lines } = capturingLogger()
    const batch = makeIdempotentBatchHandler(sqsBatch, async () => 'done', {
      store: new InMemoryStore(),
      logger: silent,
      onOutcome: logOutcomes(logger),
    })
    const event = sqsEvent(sqsRecord('m-1', { n: 1 }), sqsRecord('m-2', { n: 2 }))
    await batch(event, lambdaContext())
    await batch(event, lambdaContext())
    expect(lines.map((line) => line.fields.idempotencyOutcome).sort()).toEqual([
      'fresh',
      'fresh',
      'replay',
      'replay',
    ])
  })
})
